using System.Text.RegularExpressions;
using Docker.DotNet.Models;
using Gateway.Contracts.Containers;

namespace Gateway.Bridges.Docker;

/// <summary>Finds the credentials a host has for the registry an image reference names.</summary>
public sealed partial class DockerRegistries(IReadOnlyDictionary<string, DockerRegistryOptions>? registries)
{
    readonly Dictionary<string, DockerRegistryOptions> _byServer = (registries ?? new Dictionary<string, DockerRegistryOptions>()).Values
        .Where(r => r.Server is not null)
        .ToDictionary(r => Normalize(r.Server!), StringComparer.OrdinalIgnoreCase);

    /// <summary>The engine's auth for <paramref name="image"/>'s registry, or null to pull anonymously.</summary>
    public AuthConfig? For(string image) =>
        _byServer.TryGetValue(Normalize(ContainerNames.RegistryOf(image)), out var r)
            ? new AuthConfig { ServerAddress = r.Server, Username = r.Username, Password = r.Password }
            : null;

    /// <summary>Docker Hub goes by several names; the others are compared as written, ignoring case.</summary>
    public static string Normalize(string server) =>
        server is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" ? ContainerNames.DefaultRegistry : server.ToLowerInvariant();

    public static bool IsServer(string server) => ServerPattern().IsMatch(server);

    [GeneratedRegex(@"\A(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?\z")]
    private static partial Regex ServerPattern();
}
