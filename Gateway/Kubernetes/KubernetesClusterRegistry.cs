using Gateway.Bridges.Kubernetes;
using Gateway.Bridges.Resilience;
using Gateway.Contracts.Bridges;
using Gateway.Contracts.Clusters;
using Gateway.Contracts.Errors;
using Microsoft.Extensions.Options;

namespace Gateway.Kubernetes;

/// <summary>Wraps every configured cluster, e.g. to carry its calls over the CTP-96 channel.</summary>
public interface IClusterClientWrapper
{
    IClusterClient Wrap(IClusterClient inner);
}

/// <summary>The configured clusters (Gateway:Kubernetes:Clusters:{name}), built and validated once at start-up.</summary>
public sealed partial class KubernetesClusterRegistry : IBridgeInstanceSource, IDisposable
{
    const string Kind = "kubernetes";
    readonly Dictionary<string, (IClusterClient Client, BridgeResilience Resilience)> _clusters = new(StringComparer.Ordinal);
    readonly Dictionary<string, KubernetesCluster> _bridges = new(StringComparer.Ordinal);
    readonly List<IDisposable> _owned = [];

    public KubernetesClusterRegistry(IConfiguration configuration, IEnumerable<IClusterClientWrapper> wrappers,
        ILoggerFactory loggers, ILogger<KubernetesClusterRegistry> logger)
    {
        var problems = new List<string>();
        var built = new List<(string Name, KubernetesCluster Cluster, BridgeResilience Resilience)>();
        foreach (var section in configuration.GetSection(KubernetesClusterOptions.Section).GetChildren())
        {
            var name = section.Key;
            try { KubernetesNames.ValidateCluster(name); }
            catch (GatewayException e) { problems.Add($"{KubernetesClusterOptions.Section}:{name}: {e.Message}"); continue; }
            var options = section.Get<KubernetesClusterOptions>() ?? new KubernetesClusterOptions();
            var resilienceOptions = ResilienceOptions.FromInstanceSection(section);
            var found = options.Validate(name).Concat(resilienceOptions.Validate().Select(p => $"{KubernetesClusterOptions.Section}:{name}:{p}")).ToList();
            if (found.Count > 0) { problems.AddRange(found); continue; }
            try
            {
                var resilience = BridgePipeline.Create($"kubernetes:{name}", resilienceOptions, loggers);
                var cluster = new KubernetesClusterSettings(options.KubeConfig, options.Context, options.InCluster).CreateCluster(name, resilience.Pipeline);
                built.Add((name, cluster, resilience));
            }
            catch (InvalidOperationException e)
            {
                problems.Add($"{KubernetesClusterOptions.Section}:{name}: {e.Message}");
            }
        }
        if (problems.Count > 0)
        {
            foreach (var (_, cluster, _) in built) cluster.Dispose();
            throw new OptionsValidationException(KubernetesClusterOptions.Section, typeof(KubernetesClusterOptions), problems);
        }
        foreach (var (name, cluster, resilience) in built)
        {
            _owned.Add(cluster);
            _bridges[name] = cluster;
            IClusterClient client = cluster;
            foreach (var wrapper in wrappers) client = wrapper.Wrap(client);
            _clusters[name] = (client, resilience);
            LogCluster(logger, name);
        }
    }

    public IReadOnlyCollection<string> Names => _clusters.Keys;

    /// <summary>The cluster named in a route; BadRequest for a malformed name, NotFound for one not configured.</summary>
    public IClusterClient Get(string name)
    {
        KubernetesNames.ValidateCluster(name);
        return _clusters.TryGetValue(name, out var entry)
            ? entry.Client
            : throw new GatewayException(ErrorCode.NotFound, $"No Kubernetes cluster named '{name}' is configured.");
    }

    /// <summary>The Kubernetes bridge itself (not its channel client), as the bridge host runs it; null when not configured.</summary>
    public IClusterClient? GetBridge(string name) => _bridges.GetValueOrDefault(name);

    public IEnumerable<IBridgeInstance> GetInstances() =>
        _clusters.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (IBridgeInstance)new Instance(kv.Key, kv.Value.Resilience));

    sealed class Instance(string name, BridgeResilience resilience) : IBridgeInstance
    {
        public string Name => name;
        public string Kind => KubernetesClusterRegistry.Kind;
        public BridgeStatus GetStatus() => resilience.GetStatus();
    }

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Kubernetes cluster {Name} configured")]
    static partial void LogCluster(ILogger logger, string name);
}

sealed class KubernetesClusterRegistryStartup(KubernetesClusterRegistry registry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.FromResult(registry.Names.Count);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
