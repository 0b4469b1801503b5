using Gateway.Bridges.Resilience;
using Gateway.Contracts.Containers;
using Gateway.Contracts.Errors;
using Microsoft.Extensions.Options;

namespace Gateway.Bridges.Docker;

/// <summary>The Docker hosts, bound from <c>Gateway:Docker</c> (<c>Hosts:{name}</c>).</summary>
public sealed class DockerOptions
{
    public const string Section = "Gateway:Docker";
    public const string HostsSection = Section + ":Hosts";

    public Dictionary<string, DockerHostOptions> Hosts { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One Docker host; its resilience settings sit in the same section under <c>Resilience</c>.</summary>
public sealed class DockerHostOptions
{
    /// <summary><c>unix:///var/run/docker.sock</c> or <c>tcp://host:2375</c> (plain HTTP; put TLS in front).</summary>
    public string? Endpoint { get; set; }

    public ResilienceOptions Resilience { get; set; } = new();

    /// <summary>Credentials for private registries this host pulls from, by a name of the operator's choosing.</summary>
    public Dictionary<string, DockerRegistryOptions> Registries { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One registry's credentials (<c>Registries:{name}</c>); the password never appears in a log or message.</summary>
public sealed class DockerRegistryOptions
{
    /// <summary>The registry as image references name it: <c>registry.example.com</c>, <c>10.0.0.5:5000</c>, <c>docker.io</c>.</summary>
    public string? Server { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }
}

/// <summary>Checks every host at start (ValidateOnStart); each problem names the setting to fix.</summary>
public sealed class DockerOptionsValidator : IValidateOptions<DockerOptions>
{
    public ValidateOptionsResult Validate(string? name, DockerOptions options)
    {
        var problems = new List<string>();
        foreach (var (host, settings) in options.Hosts)
        {
            var prefix = $"{DockerOptions.HostsSection}:{host}";
            try { ContainerNames.ValidateHost(host); }
            catch (GatewayException e) { problems.Add($"{prefix}: {e.Message}"); continue; }
            problems.AddRange(EndpointProblems(prefix + ":Endpoint", settings.Endpoint));
            problems.AddRange(settings.Resilience.Validate().Select(p => $"{prefix}:{p}"));
            problems.AddRange(RegistryProblems(prefix + ":Registries", settings.Registries));
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static IEnumerable<string> EndpointProblems(string key, string? endpoint)
    {
        if (string.IsNullOrWhiteSpace(endpoint))
            yield return $"{key} is required (unix:///path/to/docker.sock or tcp://host:port).";
        else if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("unix" or "tcp" or "http"))
            yield return $"{key} must be a unix:// or tcp:// URI.";
        else if (uri.Scheme is "tcp" or "http" && (uri.Port <= 0 || string.IsNullOrEmpty(uri.Host)))
            yield return $"{key} must name a host and port (tcp://host:2375).";
        else if (uri.Scheme == "unix" && string.IsNullOrEmpty(uri.AbsolutePath.Trim('/')))
            yield return $"{key} must name a socket path (unix:///var/run/docker.sock).";
    }

    private static IEnumerable<string> RegistryProblems(string key, Dictionary<string, DockerRegistryOptions> registries)
    {
        var servers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, registry) in registries)
        {
            var prefix = $"{key}:{name}";
            if (string.IsNullOrWhiteSpace(registry.Server) || !DockerRegistries.IsServer(registry.Server))
                yield return $"{prefix}:Server is required: the registry as image references name it (registry.example.com or host:port).";
            else if (!servers.Add(DockerRegistries.Normalize(registry.Server)))
                yield return $"{prefix}:Server names a registry another entry already has.";
            if (string.IsNullOrEmpty(registry.Username)) yield return $"{prefix}:Username is required.";
            if (string.IsNullOrEmpty(registry.Password)) yield return $"{prefix}:Password is required.";
        }
    }
}
