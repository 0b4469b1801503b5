namespace Gateway.Contracts.Containers;

/// <summary>
/// One Docker Engine host (a named entry under Gateway:Docker:Hosts). Ids and names reaching an
/// implementation are checked again with <see cref="ContainerNames"/> before any platform call. Failures are
/// <see cref="Errors.GatewayException"/>s: a missing container or image is NotFound, a name in use is Conflict.
/// </summary>
public interface IContainerHost
{
    string Name { get; }

    Task<ContainerEngineVersion> GetVersionAsync(CancellationToken ct);
    Task<ContainerEngineInfo> GetInfoAsync(CancellationToken ct);

    Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(ContainerListQuery query, CancellationToken ct);
    Task<ContainerDetails> InspectContainerAsync(string idOrName, CancellationToken ct);
    Task<ContainerCreated> CreateContainerAsync(ContainerCreateRequest request, CancellationToken ct);

    /// <summary>Returns false when the container was already running (nothing changed).</summary>
    Task<bool> StartContainerAsync(string idOrName, CancellationToken ct);
    /// <summary>Returns false when the container was already stopped (nothing changed).</summary>
    Task<bool> StopContainerAsync(string idOrName, int? waitSeconds, CancellationToken ct);
    Task RestartContainerAsync(string idOrName, int? waitSeconds, CancellationToken ct);
    /// <summary>
    /// Waits until the container is not running (<c>docker wait</c>) and returns its exit code; at once for a container
    /// that has already stopped. A container never started is waited for until it starts and stops.
    /// </summary>
    Task<ContainerExit> WaitContainerAsync(string idOrName, CancellationToken ct);

    Task RemoveContainerAsync(string idOrName, bool force, bool removeVolumes, CancellationToken ct);

    /// <summary>
    /// The container's log, demultiplexed into stdout and stderr lines, as the engine hands them over (with
    /// <see cref="ContainerLogsQuery.Follow"/>, until the container stops or <paramref name="ct"/> fires).
    /// Errors found before the first line (missing container...) are thrown by the first MoveNextAsync.
    /// </summary>
    IAsyncEnumerable<ContainerLogLine> StreamLogsAsync(string idOrName, ContainerLogsQuery query, CancellationToken ct);

    /// <summary>
    /// Runs <see cref="ContainerExecRequest.Command"/> in the running container and yields its output lines as they
    /// come, then one item with the exit code. A missing container is NotFound and a stopped one Conflict, thrown by the
    /// first MoveNextAsync; a program the container cannot start ends, as with <c>docker exec</c>, with the runtime's
    /// message on the output and exit code 126 or 127.
    /// </summary>
    IAsyncEnumerable<ContainerExecOutput> ExecAsync(string idOrName, ContainerExecRequest request, CancellationToken ct);

    /// <summary>
    /// A file or folder of the container as a tar stream (<c>docker cp container:path -</c>); the caller disposes it.
    /// A missing container or path is NotFound.
    /// </summary>
    Task<Stream> GetArchiveAsync(string idOrName, string path, CancellationToken ct);

    /// <summary>Extracts a tar stream into the container's folder <paramref name="path"/> (<c>docker cp - container:path</c>).</summary>
    Task PutArchiveAsync(string idOrName, string path, Stream tarArchive, CancellationToken ct);

    Task<IReadOnlyList<ImageSummary>> ListImagesAsync(bool all, CancellationToken ct);

    /// <summary>
    /// Pulls an image from its registry with the credentials configured for that registry on this host, if any. An
    /// image the registry does not have is NotFound; a registry that cannot be reached or refuses is BadGateway.
    /// </summary>
    Task<ImagePullResult> PullImageAsync(ImagePullRequest request, CancellationToken ct);

    /// <summary>Loads images from a <c>docker save</c> archive, streamed from <paramref name="tarArchive"/>.</summary>
    Task<ImageLoadResult> LoadImagesAsync(Stream tarArchive, CancellationToken ct);
}
