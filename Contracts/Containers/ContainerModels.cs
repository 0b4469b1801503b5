namespace Gateway.Contracts.Containers;

public sealed record ContainerEngineVersion(
    string Version, string ApiVersion, string MinApiVersion, string Os, string Arch, string KernelVersion, string GitCommit);

public sealed record ContainerEngineInfo(
    string Id, string Name, string ServerVersion, long Containers, long ContainersRunning, long ContainersPaused,
    long ContainersStopped, long Images, string StorageDriver, string OperatingSystem, string OsType, string Architecture,
    long Cpus, long MemoryBytes);

/// <param name="All">Include stopped containers.</param>
/// <param name="Filters">Docker's list filters, e.g. <c>label</c> → <c>["app=web"]</c>, <c>status</c> → <c>["running"]</c>, <c>name</c>.</param>
public sealed record ContainerListQuery(
    bool All = false, int? Limit = null, IReadOnlyDictionary<string, IReadOnlyList<string>>? Filters = null);

public sealed record ContainerPort(int PrivatePort, int? PublicPort, string Protocol, string? HostIp);

public sealed record ContainerSummary(
    string Id, IReadOnlyList<string> Names, string Image, string ImageId, string Command, DateTimeOffset Created,
    string State, string Status, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<ContainerPort> Ports);

public sealed record ContainerState(
    string Status, bool Running, bool Paused, bool Restarting, bool OomKilled, bool Dead, long Pid, long ExitCode,
    string? Error, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

/// <summary>Publishes <see cref="ContainerPort"/> <c>/</c> <see cref="Protocol"/> on the host (HostPort null or 0: any free port).</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record PortBinding(int ContainerPort, string Protocol = "tcp", int? HostPort = null, string? HostIp = null);

public sealed record ContainerDetails(
    string Id, string Name, string Image, string ImageId, DateTimeOffset Created, ContainerState State,
    IReadOnlyList<string> Command, IReadOnlyList<string> Entrypoint, IReadOnlyList<string> Env,
    IReadOnlyDictionary<string, string> Labels, bool Tty, IReadOnlyList<PortBinding> PortBindings, long RestartCount);

/// <param name="Name">Optional container name (<see cref="ContainerNames.ValidateName"/>).</param>
/// <param name="Command">Replaces the image's CMD.</param>
/// <param name="Entrypoint">Replaces the image's ENTRYPOINT.</param>
// A misspelt field ("cmd" for "command") is refused, not ignored: ignoring it would start another program.
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record ContainerCreateRequest(
    string Image,
    string? Name = null,
    IReadOnlyList<string>? Command = null,
    IReadOnlyList<string>? Entrypoint = null,
    IReadOnlyDictionary<string, string>? Env = null,
    IReadOnlyDictionary<string, string>? Labels = null,
    IReadOnlyList<PortBinding>? PortBindings = null,
    string? WorkingDir = null,
    bool Tty = false);

/// <param name="Error">What the engine reports went wrong waiting, if anything.</param>
public sealed record ContainerExit(string Container, long ExitCode, string? Error);

public sealed record ContainerCreated(string Id, IReadOnlyList<string> Warnings);

/// <param name="Tail">Only the last N lines; null for the whole log.</param>
/// <param name="Since">Only lines logged at or after this time.</param>
/// <param name="Until">Only lines logged before this time.</param>
public sealed record ContainerLogsQuery(
    bool Follow = false, bool Stdout = true, bool Stderr = true, bool Timestamps = false, int? Tail = null,
    DateTimeOffset? Since = null, DateTimeOffset? Until = null);

public enum ContainerLogStream { Stdout, Stderr }

/// <summary>One line of a container's log (its trailing newline kept, so lines re-join byte for byte).</summary>
/// <param name="Timestamp">The engine's RFC 3339 timestamp (nanoseconds) when asked for, else null.</param>
public sealed record ContainerLogLine(ContainerLogStream Stream, string Text, string? Timestamp);

/// <summary>A command run in a running container (<c>docker exec</c>); its output streams back, then its exit code.</summary>
/// <param name="Command">The program and its arguments (no shell unless named: <c>["sh", "-c", "..."]</c>).</param>
/// <param name="Env">Added to the container's environment for this command.</param>
/// <param name="WorkingDir">Absolute path; the container's own working directory when absent.</param>
/// <param name="User"><c>user</c>, <c>user:group</c>, <c>uid</c> or <c>uid:gid</c>; the container's user when absent.</param>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record ContainerExecRequest(
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string>? Env = null,
    string? WorkingDir = null,
    string? User = null);

/// <summary>
/// One item of an exec's output: a line of stdout or stderr (its newline kept), or, last of all, the command's exit
/// code (<see cref="Stream"/> and <see cref="Text"/> null).
/// </summary>
public sealed record ContainerExecOutput(ContainerLogStream? Stream, string? Text, long? ExitCode);

public sealed record ImageSummary(
    string Id, IReadOnlyList<string> RepoTags, IReadOnlyList<string> RepoDigests, DateTimeOffset Created, long Size,
    IReadOnlyDictionary<string, string> Labels);

/// <param name="Loaded">What the engine reported loading: tags (<c>repo:tag</c>) or image ids.</param>
public sealed record ImageLoadResult(IReadOnlyList<string> Loaded);

/// <param name="Image">A reference as <c>docker pull</c> takes it, <c>[registry[:port]/]name[:tag|@digest]</c>; without a tag
/// or digest the <c>latest</c> tag is pulled (never every tag, which is what the Engine API would do).</param>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record ImagePullRequest(string Image);

/// <param name="Image">The reference pulled, with the tag it got (<c>latest</c> when none was given).</param>
/// <param name="Id">The engine's image id after the pull.</param>
/// <param name="Digest">The manifest digest the registry served, when the engine reported it.</param>
/// <param name="Status">The engine's last status ("Downloaded newer image for ..." or "Image is up to date for ...").</param>
public sealed record ImagePullResult(string Image, string Id, string? Digest, string? Status);
