using Docker.DotNet;
using Docker.DotNet.Models;

namespace Gateway.Bridges.Docker.Tests;

/// <summary>
/// The private dockerd started by scripts/backends.sh (scripts/backends.d/dockerd.sh). Reads its settings
/// from $BACKENDS_ENV; a missing or failed backend fails the test with a message saying so.
/// </summary>
public sealed class DockerBackend : IAsyncLifetime
{
    public Uri Endpoint { get; private set; } = null!;
    public string TestImage { get; private set; } = null!;
    public string LoadableImage { get; private set; } = null!;
    public string LoadableImageTar { get; private set; } = null!;
    /// <summary>Docker.DotNet straight to the engine, for setting up and checking what the bridge did.</summary>
    public DockerClient Direct { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var env = ReadBackendsEnv();
        if (env.ContainsKey("BACKEND_FAILED_dockerd"))
            throw new InvalidOperationException("Backend 'dockerd' failed to start (see .backends/dockerd.log); the Docker bridge tests need it.");
        string Require(string key) => env.TryGetValue(key, out var v) && v.Length > 0 ? v
            : throw new InvalidOperationException($"Backend 'dockerd' is not running: {key} is missing from {EnvPath()}. Start it with `bash scripts/backends.sh start dockerd`.");
        Endpoint = new Uri(Require("DOCKER_ENDPOINT"));
        TestImage = Require("DOCKER_TEST_IMAGE");
        LoadableImage = Require("DOCKER_LOADABLE_IMAGE");
        LoadableImageTar = Require("DOCKER_LOADABLE_IMAGE_TAR");
        Direct = new DockerClientConfiguration(Endpoint).CreateClient();
        try
        {
            await Direct.System.PingAsync();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"Backend 'dockerd' does not answer at {Endpoint}: {e.Message}", e);
        }
    }

    public Task DisposeAsync()
    {
        Direct?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Removes every container the tests labelled, whatever state it is in.</summary>
    public async Task RemoveLabelledAsync(string label)
    {
        var left = await Direct.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [label] = true } },
        });
        foreach (var c in left)
            await Direct.Containers.RemoveContainerAsync(c.ID, new ContainerRemoveParameters { Force = true });
    }

    static string EnvPath() => Environment.GetEnvironmentVariable("BACKENDS_ENV") is { Length: > 0 } p ? p
        : Path.Combine(RepoRoot(), ".backends", "env");

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln"))) return dir.FullName;
        throw new InvalidOperationException("Gateway.sln not found above the test binaries.");
    }

    static Dictionary<string, string> ReadBackendsEnv()
    {
        var path = EnvPath();
        if (!File.Exists(path))
            throw new InvalidOperationException($"Backend 'dockerd' is not running: {path} does not exist. Start it with `bash scripts/backends.sh start dockerd`.");
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path))
        {
            var eq = line.IndexOf('=');
            if (eq > 0) env[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }
        return env;
    }
}

[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<DockerBackend>
{
    public const string Name = "dockerd";
}
