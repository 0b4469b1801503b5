namespace Gateway.Docker;

/// <summary>
/// One Docker host, bound from <c>Gateway:Docker:Hosts:{name}</c>; its resilience settings sit in the same section
/// under <c>Resilience</c> (see Bridges.Resilience's ResilienceOptions).
/// </summary>
public sealed class DockerHostOptions
{
    public const string Section = "Gateway:Docker:Hosts";

    /// <summary><c>unix:///var/run/docker.sock</c> or <c>tcp://host:2375</c> (plain HTTP; put TLS in front).</summary>
    public string? Endpoint { get; set; }

    /// <summary>Returns the problems found, each naming the setting to fix.</summary>
    public IReadOnlyList<string> Validate(string hostName)
    {
        var problems = new List<string>();
        var key = $"{Section}:{hostName}:Endpoint";
        if (string.IsNullOrWhiteSpace(Endpoint))
            problems.Add($"{key} is required (unix:///path/to/docker.sock or tcp://host:port).");
        else if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("unix" or "tcp" or "http"))
            problems.Add($"{key} must be a unix:// or tcp:// URI.");
        else if (uri.Scheme is "tcp" or "http" && (uri.Port <= 0 || string.IsNullOrEmpty(uri.Host)))
            problems.Add($"{key} must name a host and port (tcp://host:2375).");
        else if (uri.Scheme == "unix" && string.IsNullOrEmpty(uri.AbsolutePath.Trim('/')))
            problems.Add($"{key} must name a socket path (unix:///var/run/docker.sock).");
        return problems;
    }
}
