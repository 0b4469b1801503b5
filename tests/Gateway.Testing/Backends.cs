namespace Gateway.Testing;

/// <summary>
/// What scripts/backends.sh started, read from its env file ($BACKENDS_ENV, default .backends/env at the
/// repository root). A missing backend fails the test with the backend's name; it never skips.
/// </summary>
public static class Backends
{
    private static readonly Lazy<(string Path, Dictionary<string, string> Values)> Env = new(Load);

    public static string Require(string key, string backend)
    {
        var (path, values) = Env.Value;
        if (values.ContainsKey($"BACKEND_FAILED_{backend}"))
            throw new InvalidOperationException($"Backend '{backend}' failed to start (scripts/backends.sh start {backend}; see .backends/{backend}.log).");
        if (!values.TryGetValue(key, out var value) || value.Length == 0)
            throw new InvalidOperationException($"Backend '{backend}' is not running: {key} is missing from {path}. Start it with: bash scripts/backends.sh start {backend}");
        return value;
    }

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gateway.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Gateway.sln not found above the test binaries.");
        }
    }

    private static (string, Dictionary<string, string>) Load()
    {
        var path = Environment.GetEnvironmentVariable("BACKENDS_ENV") is { Length: > 0 } p ? p : Path.Combine(RepositoryRoot, ".backends", "env");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            foreach (var line in File.ReadAllLines(path))
            {
                var eq = line.IndexOf('=');
                if (eq > 0) values[line[..eq].Trim()] = line[(eq + 1)..].Trim();
            }
        }
        return (path, values);
    }
}
