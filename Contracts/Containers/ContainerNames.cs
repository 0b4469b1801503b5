using System.Text.RegularExpressions;
using Gateway.Contracts.Errors;

namespace Gateway.Contracts.Containers;

/// <summary>
/// Docker's own rules for what callers name, checked before any call so a bad name never reaches an engine.
/// </summary>
public static partial class ContainerNames
{
    // Docker's container name rule (daemon/names: [a-zA-Z0-9][a-zA-Z0-9_.-]+); a leading '/' is how the engine
    // prints names, so it is accepted. The same rule admits full and short hex ids.
    [GeneratedRegex(@"\A/?[a-zA-Z0-9][a-zA-Z0-9_.-]{1,254}\z")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"\A[a-z0-9][a-z0-9_-]{0,62}\z")]
    private static partial Regex HostPattern();

    // distribution/reference's grammar: [domain[:port]/]path[:tag][@digest], path components lower case.
    [GeneratedRegex(
        // The first part is a registry only when it has a '.' or ':' or is localhost, as Docker decides; its port is 1-65535
        // (127.0.0.1:99999/x reached the engine, which answered "invalid port").
        @"\A(?:(?=[^/]*[.:]|localhost/)(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?/)?" +
        @"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*" +
        @"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?\z")]
    private static partial Regex ImagePattern();

    [GeneratedRegex(@"\A[a-zA-Z_][a-zA-Z0-9_.-]*\z")]
    private static partial Regex EnvKeyPattern();

    // user[:group], names as useradd takes them or numeric ids.
    [GeneratedRegex(@"\A[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,63}(?::[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,63})?\z")]
    private static partial Regex UserPattern();

    [GeneratedRegex(@"\A(?:sha256:)?[a-f0-9]{12,64}\z")]
    private static partial Regex ImageIdPattern();

    /// <summary>A configured host's name as used in <c>/v1/docker/{host}</c>.</summary>
    public static void ValidateHost(string? host)
    {
        if (host is null || !HostPattern().IsMatch(host))
            throw new GatewayException(ErrorCode.BadRequest, "Docker host names are 1-63 characters of a-z, 0-9, '_' and '-', starting with a letter or digit.");
    }

    /// <summary>A container id (full or short hex) or name.</summary>
    public static void ValidateIdOrName(string? idOrName)
    {
        if (idOrName is null || !NamePattern().IsMatch(idOrName))
            throw new GatewayException(ErrorCode.BadRequest, "A container is named by its id or a name of 2-255 characters matching [a-zA-Z0-9][a-zA-Z0-9_.-]+.");
    }

    public static void ValidateName(string? name)
    {
        if (name is null || name.StartsWith('/') || !NamePattern().IsMatch(name))
            throw new GatewayException(ErrorCode.BadRequest, "Container names are 2-255 characters matching [a-zA-Z0-9][a-zA-Z0-9_.-]+.");
    }

    /// <summary>An image reference (<c>repo[:tag][@digest]</c>) or image id.</summary>
    public static void ValidateImage(string? image)
    {
        if (image is null || image.Length > 512 || !(ImagePattern().IsMatch(image) || ImageIdPattern().IsMatch(image)))
            throw new GatewayException(ErrorCode.BadRequest, "The image is not a valid reference such as 'repository/name:tag'.");
    }

    /// <summary>Checks everything a create request names or sets.</summary>
    public static void Validate(ContainerCreateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateImage(request.Image);
        if (request.Name is not null) ValidateName(request.Name);
        ValidateEnv(request.Env);
        foreach (var (key, value) in request.Labels ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrWhiteSpace(key) || key.Length > 255 || key.Contains('=') || key.Contains('\0'))
                throw new GatewayException(ErrorCode.BadRequest, "Label keys are 1-255 characters and contain no '=' and no NUL.");
            // The engine would store a null label as "" and a NUL as given: neither is what the caller can read back safely.
            if (value is null)
                throw new GatewayException(ErrorCode.BadRequest, $"Label '{key}' is null; give a string (\"\" for an empty value) or leave the label out.");
            if (value.Contains('\0'))
                throw new GatewayException(ErrorCode.BadRequest, $"Label '{key}' contains NUL in its value.");
        }
        foreach (var arg in (request.Command ?? []).Concat(request.Entrypoint ?? []))
        {
            if (arg is null || arg.Contains('\0'))
                throw new GatewayException(ErrorCode.BadRequest, "Command and entrypoint arguments must not be null or contain NUL.");
        }
        foreach (var p in request.PortBindings ?? [])
        {
            if (p is null)
                throw new GatewayException(ErrorCode.BadRequest, "portBindings holds a null; each binding is {\"containerPort\", \"protocol\"?, \"hostPort\"?, \"hostIp\"?}.");
            if (p.ContainerPort is < 1 or > 65535 || p.HostPort is < 0 or > 65535)
                throw new GatewayException(ErrorCode.BadRequest, "Ports are between 1 and 65535 (host port 0 or absent: any free port).");
            if (p.Protocol is not ("tcp" or "udp" or "sctp"))
                throw new GatewayException(ErrorCode.BadRequest, "Port protocols are 'tcp', 'udp' or 'sctp'.");
            if (p.HostIp is not null && !System.Net.IPAddress.TryParse(p.HostIp, out _))
                throw new GatewayException(ErrorCode.BadRequest, "A port binding's hostIp must be an IP address.");
        }
        ValidateWorkingDir(request.WorkingDir);
    }

    /// <summary>A path inside a container: absolute, at most 4096 bytes, no NUL.</summary>
    public static void ValidateContainerPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/' || path.Length > 4096 || path.Contains('\0'))
            throw new GatewayException(ErrorCode.BadRequest, "path is an absolute path inside the container, e.g. /etc/app/config.json.");
    }

    /// <summary>A pull names an image by reference (an image id names nothing a registry has).</summary>
    public static void Validate(ImagePullRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Image is null || request.Image.Length > 512 || !ImagePattern().IsMatch(request.Image))
            throw new GatewayException(ErrorCode.BadRequest, "image is a reference such as 'registry.example:5000/team/app:1.2' or 'busybox@sha256:...'.");
    }

    /// <summary>The registry an image reference names, as Docker decides: its first part when that has a '.' or ':' or is localhost.</summary>
    public static string RegistryOf(string image)
    {
        var slash = image.IndexOf('/');
        if (slash < 0) return DefaultRegistry;
        var first = image[..slash];
        return first.Contains('.') || first.Contains(':') || first == "localhost" ? first : DefaultRegistry;
    }

    public const string DefaultRegistry = "docker.io";

    /// <summary>Checks an exec's command, environment, working directory and user.</summary>
    public static void Validate(ContainerExecRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Command is not { Count: > 0 } || string.IsNullOrEmpty(request.Command[0]))
            throw new GatewayException(ErrorCode.BadRequest, "command is required: the program and its arguments, e.g. [\"sh\", \"-c\", \"echo hi\"].");
        if (request.Command.Any(arg => arg is null || arg.Contains('\0')))
            throw new GatewayException(ErrorCode.BadRequest, "Command arguments must not be null or contain NUL.");
        ValidateEnv(request.Env);
        ValidateWorkingDir(request.WorkingDir);
        if (request.User is not null && !UserPattern().IsMatch(request.User))
            throw new GatewayException(ErrorCode.BadRequest, "user is a user name or uid, optionally followed by ':' and a group name or gid.");
    }

    static void ValidateEnv(IReadOnlyDictionary<string, string>? env)
    {
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            if (!EnvKeyPattern().IsMatch(key))
                throw new GatewayException(ErrorCode.BadRequest, "Environment variable names are letters, digits, '_', '.' and '-', not starting with a digit.");
            if (value is null || value.Contains('\0'))
                throw new GatewayException(ErrorCode.BadRequest, $"Environment variable '{key}' has no value or contains NUL.");
        }
    }

    static void ValidateWorkingDir(string? workingDir)
    {
        if (workingDir is not null && (!workingDir.StartsWith('/') || workingDir.Contains('\0')))
            throw new GatewayException(ErrorCode.BadRequest, "The working directory must be an absolute path.");
    }

    /// <summary>Docker's list filters the gateway passes on; others are refused rather than silently ignored.</summary>
    public static readonly IReadOnlySet<string> ListFilters = new HashSet<string>(StringComparer.Ordinal)
    {
        "ancestor", "before", "expose", "exited", "health", "id", "isolation", "is-task", "label", "name",
        "network", "publish", "since", "status", "volume",
    };

    public static void Validate(ContainerListQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > 10000)
            throw new GatewayException(ErrorCode.BadRequest, "limit must be between 1 and 10000.");
        foreach (var (key, values) in query.Filters ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            if (!ListFilters.Contains(key))
                throw new GatewayException(ErrorCode.BadRequest, $"Unknown container filter '{key}'; known: {string.Join(", ", ListFilters.Order())}.");
            if (values is null || values.Any(v => v is null))
                throw new GatewayException(ErrorCode.BadRequest, $"Filter '{key}' is null or holds a null value; its values are strings.");
            if (values.Any(v => v.Length == 0 || v.Length > 1024 || v.Any(char.IsControl)))
                throw new GatewayException(ErrorCode.BadRequest, $"Filter '{key}' has an empty, over-long or control-character value.");
        }
    }

    public static void Validate(ContainerLogsQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!query.Stdout && !query.Stderr)
            throw new GatewayException(ErrorCode.BadRequest, "Ask for stdout, stderr or both.");
        if (query.Tail is < 0)
            throw new GatewayException(ErrorCode.BadRequest, "tail must not be negative.");
        if (query.Since is { } s && query.Until is { } u && u < s)
            throw new GatewayException(ErrorCode.BadRequest, "until is before since.");
    }
}
