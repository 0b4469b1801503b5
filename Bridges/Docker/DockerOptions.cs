using Gateway.Bridges.Resilience;
using Gateway.Contracts.Containers;
using Gateway.Contracts.Errors;
using System.Security.Cryptography;
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
    /// <summary><c>unix:///var/run/docker.sock</c> or <c>tcp://host:2375</c> (plain HTTP unless <see cref="Tls"/> is set).</summary>
    public string? Endpoint { get; set; }

    public ResilienceOptions Resilience { get; set; } = new();

    /// <summary>Mutual TLS to a <c>tcp://</c> engine run with <c>--tlsverify</c>; absent: plain HTTP.</summary>
    public DockerTlsOptions? Tls { get; set; }

    /// <summary>Credentials for private registries this host pulls from, by a name of the operator's choosing.</summary>
    public Dictionary<string, DockerRegistryOptions> Registries { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>PEM files, as the docker CLI's <c>--tlscacert</c>, <c>--tlscert</c> and <c>--tlskey</c> (DOCKER_CERT_PATH's ca.pem, cert.pem, key.pem).</summary>
public sealed class DockerTlsOptions
{
    /// <summary>The CA the engine's certificate must chain to; the system's roots are not trusted for it.</summary>
    public string? CaCertificate { get; set; }
    public string? ClientCertificate { get; set; }
    /// <summary>The client certificate's private key; a secret file.</summary>
    public string? ClientKey { get; set; }
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
            if (settings.Tls is not null) problems.AddRange(TlsProblems(prefix, settings));
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

    private static IEnumerable<string> TlsProblems(string prefix, DockerHostOptions settings)
    {
        if (settings.Endpoint is not null && !settings.Endpoint.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase))
            yield return $"{prefix}:Tls is for tcp:// endpoints only.";
        var tls = settings.Tls!;
        var missing = false;
        foreach (var (key, path) in new[] { ("CaCertificate", tls.CaCertificate), ("ClientCertificate", tls.ClientCertificate), ("ClientKey", tls.ClientKey) })
        {
            if (string.IsNullOrWhiteSpace(path)) { yield return $"{prefix}:Tls:{key} is required (a PEM file)."; missing = true; }
            else if (!File.Exists(path)) { yield return $"{prefix}:Tls:{key}: no file at '{path}'."; missing = true; }
        }
        if (missing) yield break;
        // The files' contents never appear in a message: a key file is a secret.
        string? problem = null;
        try { DockerTls.Load(tls).Dispose(); }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            problem = $"{prefix}:Tls: the CA certificate, the client certificate or its key could not be read as PEM, or the key does not belong to the certificate ({e.GetType().Name}).";
        }
        if (problem is not null) yield return problem;
    }
}
