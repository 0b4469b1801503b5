using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using Docker.DotNet;
using Docker.DotNet.Models;
using Gateway.Bridges.Resilience;
using Gateway.Contracts.Containers;
using Polly;

namespace Gateway.Bridges.Docker;

/// <summary>
/// <see cref="IContainerHost"/> on Docker.DotNet, talking to one engine (unix socket or tcp). Every engine call runs
/// inside the instance's resilience pipeline; reads and start/stop/restart are retried (repeating them ends in the
/// same state), create/remove/load are not.
/// </summary>
public sealed class DockerContainerHost : IContainerHost, IDisposable
{
    readonly DockerClient _client;
    readonly ResiliencePipeline _pipeline;
    readonly DockerRegistries _registries;
    readonly DockerTls? _tls;

    /// <param name="endpoint"><c>unix:///var/run/docker.sock</c> or <c>tcp://host:2375</c>.</param>
    /// <param name="pipeline">From <see cref="BridgePipeline"/>; <see cref="ResiliencePipeline.Empty"/> runs calls bare.</param>
    /// <param name="registries">Credentials for the private registries this host pulls from.</param>
    /// <param name="tls">Mutual TLS for a <c>tcp://</c> engine; null for plain HTTP or a unix socket.</param>
    public DockerContainerHost(string name, Uri endpoint, ResiliencePipeline? pipeline = null,
        IReadOnlyDictionary<string, DockerRegistryOptions>? registries = null, DockerTls? tls = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Endpoint = endpoint;
        _pipeline = pipeline ?? ResiliencePipeline.Empty;
        _registries = new DockerRegistries(registries);
        // Docker.DotNet's own 100 s request timeout would cut long stops and image loads; the pipeline (or the
        // caller's token, for the unbounded calls) decides instead.
        _tls = tls;
        _client = new DockerClientConfiguration(ToDockerUri(endpoint), new NoRedirects(tls?.Credentials()), defaultTimeout: Timeout.InfiniteTimeSpan).CreateClient();
    }

    public string Name { get; }
    public Uri Endpoint { get; }

    /// <summary>Accepts <c>unix://</c>, <c>tcp://</c> and <c>http://</c>; Docker.DotNet speaks HTTP over tcp.</summary>
    static Uri ToDockerUri(Uri endpoint) => endpoint.Scheme switch
    {
        "unix" or "http" or "npipe" => endpoint,
        "tcp" => new UriBuilder(endpoint) { Scheme = "http" }.Uri,
        _ => throw new ArgumentException($"Docker endpoints are unix:// or tcp:// URIs, not '{endpoint.Scheme}://'.", nameof(endpoint)),
    };

    public Task<ContainerEngineVersion> GetVersionAsync(CancellationToken ct) =>
        RunAsync(async c => DockerModels.ToContract(await _client.System.GetVersionAsync(c)), idempotent: true, ct);

    public Task<ContainerEngineInfo> GetInfoAsync(CancellationToken ct) =>
        RunAsync(async c => DockerModels.ToContract(await _client.System.GetSystemInfoAsync(c)), idempotent: true, ct);

    public Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(ContainerListQuery query, CancellationToken ct)
    {
        ContainerNames.Validate(query);
        var parameters = new ContainersListParameters
        {
            All = query.All,
            Limit = query.Limit,
            // The engine's filter values are a set: a value given twice is the value once.
            Filters = query.Filters?.ToDictionary(
                kv => kv.Key, kv => (IDictionary<string, bool>)kv.Value.Distinct(StringComparer.Ordinal).ToDictionary(v => v, _ => true)),
        };
        return RunAsync<IReadOnlyList<ContainerSummary>>(async c =>
        {
            try
            {
                return (await _client.Containers.ListContainersAsync(parameters, c)).Select(DockerModels.ToContract).ToList();
            }
            catch (DockerApiException e) when (parameters.Filters is { Count: > 0 } && DockerErrors.IsRefusedFilter(e))
            {
                throw new Contracts.Errors.GatewayException(Contracts.Errors.ErrorCode.BadRequest, $"The engine refused a filter value: {DockerErrors.Message(e)}", e);
            }
        }, idempotent: true, ct);
    }

    public Task<ContainerDetails> InspectContainerAsync(string idOrName, CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(idOrName);
        return RunAsync(async c => DockerModels.ToContract(await _client.Containers.InspectContainerAsync(idOrName, c)), idempotent: true, ct);
    }

    public Task<ContainerCreated> CreateContainerAsync(ContainerCreateRequest request, CancellationToken ct)
    {
        ContainerNames.Validate(request);
        var parameters = DockerModels.ToParameters(request);
        return RunAsync(async c =>
        {
            var created = await _client.Containers.CreateContainerAsync(parameters, c);
            return new ContainerCreated(created.ID, created.Warnings?.ToList() ?? []);
        }, idempotent: false, ct);
    }

    public Task<bool> StartContainerAsync(string idOrName, CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(idOrName);
        return RunAsync(c => _client.Containers.StartContainerAsync(idOrName, new ContainerStartParameters(), c), idempotent: true, ct);
    }

    public Task<bool> StopContainerAsync(string idOrName, int? waitSeconds, CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(idOrName);
        var parameters = new ContainerStopParameters { WaitBeforeKillSeconds = WaitSeconds(waitSeconds) };
        return RunAsync(c => _client.Containers.StopContainerAsync(idOrName, parameters, c), idempotent: true, ct, unbounded: true);
    }

    public Task RestartContainerAsync(string idOrName, int? waitSeconds, CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(idOrName);
        var parameters = new ContainerRestartParameters { WaitBeforeKillSeconds = WaitSeconds(waitSeconds) };
        return RunAsync(async c => { await _client.Containers.RestartContainerAsync(idOrName, parameters, c); return true; }, idempotent: true, ct, unbounded: true);
    }

    public Task<ContainerExit> WaitContainerAsync(string idOrName, CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(idOrName);
        // The wait lasts as long as the container runs: the caller's length, outside the pipeline's timeouts.
        return RunAsync(async c =>
        {
            var exit = await _client.Containers.WaitContainerAsync(idOrName, c);
            return new ContainerExit(idOrName, exit.StatusCode, string.IsNullOrEmpty(exit.Error?.Message) ? null : exit.Error.Message);
        }, idempotent: true, ct, unbounded: true);
    }

    public Task RemoveContainerAsync(string idOrName, bool force, bool removeVolumes, CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(idOrName);
        var parameters = new ContainerRemoveParameters { Force = force, RemoveVolumes = removeVolumes };
        return RunAsync(async c => { await _client.Containers.RemoveContainerAsync(idOrName, parameters, c); return true; }, idempotent: false, ct);
    }

    public async IAsyncEnumerable<ContainerLogLine> StreamLogsAsync(string idOrName, ContainerLogsQuery query,
        [EnumeratorCancellation] CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(idOrName);
        ContainerNames.Validate(query);
        var parameters = new ContainerLogsParameters
        {
            ShowStdout = query.Stdout,
            ShowStderr = query.Stderr,
            Follow = query.Follow,
            Timestamps = query.Timestamps,
            Tail = query.Tail?.ToString(CultureInfo.InvariantCulture) ?? "all",
            Since = query.Since is { } since ? EngineTime(since) : null,
            Until = query.Until is { } until ? EngineTime(until) : null,
        };

        // Only opening the log runs in the pipeline (its timeouts would cut a followed log short); reading uses ct.
        var stream = await RunAsync(async c =>
        {
            // A TTY container's log is one raw stream, not multiplexed frames: the engine says which.
            var tty = (await _client.Containers.InspectContainerAsync(idOrName, c)).Config?.Tty ?? false;
            return await _client.Containers.GetContainerLogsAsync(idOrName, tty, parameters, ct);
        }, idempotent: true, ct);

        await foreach (var line in ReadLinesAsync(stream, query.Timestamps, ct)) yield return line;
    }

    public async IAsyncEnumerable<ContainerExecOutput> ExecAsync(string idOrName, ContainerExecRequest request,
        [EnumeratorCancellation] CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(idOrName);
        ContainerNames.Validate(request);
        var parameters = new ContainerExecCreateParameters
        {
            Cmd = request.Command.ToList(),
            Env = request.Env?.Select(kv => $"{kv.Key}={kv.Value}").ToList(),
            WorkingDir = request.WorkingDir,
            User = request.User,
            AttachStdout = true,
            AttachStderr = true,
        };
        // Creating the exec is retried by nothing (a second one would never run, but is not asked for); running it is
        // the caller's length, outside the pipeline's timeouts, as a followed log is.
        var exec = await RunAsync(c => _client.Exec.ExecCreateContainerAsync(idOrName, parameters, c), idempotent: false, ct);
        var stream = await RunAsync(c => _client.Exec.StartAndAttachContainerExecAsync(exec.ID, false, c), idempotent: false, ct, unbounded: true);

        await foreach (var line in ReadLinesAsync(stream, timestamps: false, ct)) yield return new ContainerExecOutput(line.Stream, line.Text, null);
        yield return new ContainerExecOutput(null, null, await ExitCodeAsync(exec.ID, ct));
    }

    /// <summary>
    /// The exec's exit code once the engine has recorded its end: its output can close a moment before the engine
    /// marks the process exited, so an inspect that still says running is asked again.
    /// </summary>
    async Task<long> ExitCodeAsync(string execId, CancellationToken ct)
    {
        for (var delay = 5; ; delay = Math.Min(delay * 2, 200))
        {
            var inspected = await RunAsync(c => _client.Exec.InspectContainerExecAsync(execId, c), idempotent: true, ct);
            if (!inspected.Running) return inspected.ExitCode;
            await Task.Delay(delay, ct);
        }
    }

    public Task<Stream> GetArchiveAsync(string idOrName, string path, CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(idOrName);
        ContainerNames.ValidateContainerPath(path);
        // Opening runs in the pipeline; reading the archive is the caller's, as a log is.
        return RunAsync(async c =>
            (await _client.Containers.GetArchiveFromContainerAsync(idOrName, new GetArchiveFromContainerParameters { Path = path }, statOnly: false, c)).Stream,
            idempotent: true, ct);
    }

    public Task PutArchiveAsync(string idOrName, string path, Stream tarArchive, CancellationToken ct)
    {
        ContainerNames.ValidateIdOrName(idOrName);
        ContainerNames.ValidateContainerPath(path);
        ArgumentNullException.ThrowIfNull(tarArchive);
        var parameters = new ContainerPathStatParameters { Path = path, AllowOverwriteDirWithFile = false };
        return RunAsync(async c =>
        {
            try
            {
                await _client.Containers.ExtractArchiveToContainerAsync(idOrName, parameters, tarArchive, c);
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.InternalServerError
                && e.ResponseBody?.Contains("not a directory", StringComparison.Ordinal) == true)
            {
                // The engine answers 500 for an extraction point that is a file: the caller's path, not the engine.
                throw new Contracts.Errors.GatewayException(Contracts.Errors.ErrorCode.BadRequest, $"path must name a folder in the container; '{path}' is not one.", e);
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.InternalServerError
                && e.ResponseBody?.Contains("Error processing tar file", StringComparison.Ordinal) == true)
            {
                // Likewise for a body that is not a tar archive (or ends early).
                throw new Contracts.Errors.GatewayException(Contracts.Errors.ErrorCode.BadRequest, "The body is not a whole tar archive; entries before the fault may have been extracted.", e);
            }
            return true;
        }, idempotent: false, ct, unbounded: true);
    }

    public Task<IReadOnlyList<ImageSummary>> ListImagesAsync(bool all, CancellationToken ct) =>
        RunAsync<IReadOnlyList<ImageSummary>>(async c =>
            (await _client.Images.ListImagesAsync(new ImagesListParameters { All = all }, c)).Select(DockerModels.ToContract).ToList(),
            idempotent: true, ct);

    public Task<ImageLoadResult> LoadImagesAsync(Stream tarArchive, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tarArchive);
        return RunAsync(async c =>
        {
            var progress = new LoadProgress();
            await _client.Images.LoadImageAsync(new ImageLoadParameters { Quiet = true }, tarArchive, progress, c);
            if (progress.Error is { } error)
                throw new Contracts.Errors.GatewayException(Contracts.Errors.ErrorCode.BadRequest, $"The engine could not load the archive: {error}");
            return new ImageLoadResult(progress.Loaded);
        }, idempotent: false, ct, unbounded: true);
    }

    public Task<ImagePullResult> PullImageAsync(ImagePullRequest request, CancellationToken ct)
    {
        ContainerNames.Validate(request);
        // A reference without tag or digest would make the engine pull every tag of the repository.
        var last = request.Image[(request.Image.LastIndexOf('/') + 1)..];
        var image = last.Contains(':') || last.Contains('@') ? request.Image : request.Image + ":latest";
        var auth = _registries.For(image);
        return RunAsync(async c =>
        {
            var progress = new PullProgress();
            try
            {
                await _client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = image }, auth, progress, c);
            }
            catch (DockerApiException e) when ((int)e.StatusCode >= 500)
            {
                // The engine answers 500 for a registry it cannot reach or that refuses its credentials.
                throw DockerErrors.RegistryFailed(e, Name, image);
            }
            if (progress.Error is { } error)
                throw new Contracts.Errors.GatewayException(Contracts.Errors.ErrorCode.BadGateway, $"Docker host '{Name}' could not pull '{image}': {error}");
            var inspected = await _client.Images.InspectImageAsync(image, c);
            return new ImagePullResult(image, inspected.ID, progress.Digest, progress.Status);
        }, idempotent: true, ct, unbounded: true);
    }

    /// <summary>The engine's pull messages: the manifest digest, the last status, and an error reported inside the stream.</summary>
    sealed class PullProgress : IProgress<JSONMessage>
    {
        const string DigestPrefix = "Digest: ", StatusPrefix = "Status: ";
        public string? Digest { get; private set; }
        public string? Status { get; private set; }
        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            if (value.Error is { Message: { Length: > 0 } message }) Error = message;
            else if (!string.IsNullOrEmpty(value.ErrorMessage)) Error = value.ErrorMessage;
            var text = value.Status?.Trim() ?? "";
            if (text.StartsWith(DigestPrefix, StringComparison.Ordinal)) Digest = text[DigestPrefix.Length..];
            else if (text.StartsWith(StatusPrefix, StringComparison.Ordinal)) Status = text[StatusPrefix.Length..];
        }
    }

    /// <summary>Collects the engine's "Loaded image: x" messages; a load fails inside the message stream, not by status.</summary>
    sealed class LoadProgress : IProgress<JSONMessage>
    {
        const string LoadedImage = "Loaded image: ", LoadedImageId = "Loaded image ID: ";
        public List<string> Loaded { get; } = [];
        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            if (value.Error is { Message: { Length: > 0 } message }) Error = message;
            else if (!string.IsNullOrEmpty(value.ErrorMessage)) Error = value.ErrorMessage;
            var text = value.Stream?.Trim() ?? "";
            if (text.StartsWith(LoadedImageId, StringComparison.Ordinal)) Loaded.Add(text[LoadedImageId.Length..]);
            else if (text.StartsWith(LoadedImage, StringComparison.Ordinal)) Loaded.Add(text[LoadedImage.Length..]);
        }
    }

    /// <summary>Demultiplexes an engine stream (log or exec output) into lines as they arrive; disposes it at the end.</summary>
    async IAsyncEnumerable<ContainerLogLine> ReadLinesAsync(MultiplexedStream stream, bool timestamps, [EnumeratorCancellation] CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        var lines = new List<ContainerLogLine>();
        var splitter = new LogLineSplitter(timestamps);
        try
        {
            while (true)
            {
                MultiplexedStream.ReadResult read;
                try
                {
                    read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw DockerErrors.Translate(e, Name);
                }
                if (read.EOF) break;
                splitter.Push(read.Target == MultiplexedStream.TargetStream.StandardError ? ContainerLogStream.Stderr : ContainerLogStream.Stdout,
                    buffer.AsSpan(0, read.Count), lines);
                foreach (var line in lines) yield return line;
                lines.Clear();
            }
            splitter.Flush(lines);
            foreach (var line in lines) yield return line;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            stream.Dispose();
        }
    }

    static uint? WaitSeconds(int? seconds) => seconds switch
    {
        null => null,
        < 0 or > 3600 => throw new Contracts.Errors.GatewayException(Contracts.Errors.ErrorCode.BadRequest, "The stop timeout is between 0 and 3600 seconds."),
        _ => (uint)seconds.Value,
    };

    /// <summary>
    /// The engine's <c>seconds.nanoseconds</c> form, so a time's fraction reaches it (whole seconds cut
    /// <c>12:00:00.5</c> to <c>12:00:00</c>). A whole second is sent bare, as before: the engine reads an
    /// <c>until</c> of <c>0</c> as no limit but <c>0.000000000</c> as the epoch. Before 1970, whole seconds only.
    /// </summary>
    static string EngineTime(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        if (ticks < 0 || ticks % TimeSpan.TicksPerSecond == 0) return time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture, $"{ticks / TimeSpan.TicksPerSecond}.{ticks % TimeSpan.TicksPerSecond * 100:D9}");
    }

    /// <param name="unbounded">
    /// For calls whose length the caller decides (stop/restart wait up to <c>t</c> seconds; an image archive may be
    /// gigabytes): they run outside the pipeline, whose per-attempt timeout would cut them off, bounded by <paramref name="ct"/> only.
    /// </param>
    async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, bool idempotent, CancellationToken ct, bool unbounded = false)
    {
        if (unbounded)
        {
            try
            {
                return await call(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                throw DockerErrors.Translate(e, Name);
            }
        }
        return await _pipeline.ExecuteCallAsync(async c =>
        {
            try
            {
                return await call(c).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !c.IsCancellationRequested)
            {
                throw DockerErrors.Translate(e, Name);
            }
        }, idempotent, ct).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _client.Dispose();
        _tls?.Dispose();
    }
}
