using Gateway.Bridges.Docker;
using Gateway.Bridges.Resilience;
using Gateway.Contracts.Bridges;
using Gateway.Contracts.Containers;
using Gateway.Contracts.Errors;
using Microsoft.Extensions.Options;

namespace Gateway.Docker;

/// <summary>Wraps every configured Docker host, e.g. to carry its calls over the CTP-96 channel.</summary>
public interface IContainerHostWrapper
{
    IContainerHost Wrap(IContainerHost inner);
}

/// <summary>The configured Docker hosts (Gateway:Docker:Hosts:{name}), built and validated once at start-up.</summary>
public sealed partial class DockerHostRegistry : IBridgeInstanceSource, IDisposable
{
    const string Kind = "docker";
    readonly Dictionary<string, (IContainerHost Host, BridgeResilience Resilience)> _hosts = new(StringComparer.Ordinal);
    readonly Dictionary<string, DockerContainerHost> _bridges = new(StringComparer.Ordinal);
    readonly List<IDisposable> _owned = [];

    public DockerHostRegistry(IConfiguration configuration, IEnumerable<IContainerHostWrapper> wrappers,
        ILoggerFactory loggers, ILogger<DockerHostRegistry> logger)
    {
        var problems = new List<string>();
        var valid = new List<(string Name, DockerHostOptions Options, ResilienceOptions Resilience)>();
        foreach (var section in configuration.GetSection(DockerHostOptions.Section).GetChildren())
        {
            try { ContainerNames.ValidateHost(section.Key); }
            catch (GatewayException e) { problems.Add($"{DockerHostOptions.Section}:{section.Key}: {e.Message}"); continue; }
            var options = section.Get<DockerHostOptions>() ?? new DockerHostOptions();
            var resilience = ResilienceOptions.FromInstanceSection(section);
            var found = options.Validate(section.Key).Concat(resilience.Validate().Select(p => $"{DockerHostOptions.Section}:{section.Key}:{p}")).ToList();
            if (found.Count > 0) { problems.AddRange(found); continue; }
            valid.Add((section.Key, options, resilience));
        }
        if (problems.Count > 0) throw new OptionsValidationException(DockerHostOptions.Section, typeof(DockerHostOptions), problems);

        foreach (var (name, options, resilienceOptions) in valid)
        {
            var resilience = BridgePipeline.Create($"docker:{name}", resilienceOptions, loggers);
            var bridge = new DockerContainerHost(name, new Uri(options.Endpoint!), resilience.Pipeline);
            _owned.Add(bridge);
            _bridges[name] = bridge;
            IContainerHost host = bridge;
            foreach (var wrapper in wrappers) host = wrapper.Wrap(host);
            _hosts[name] = (host, resilience);
            LogHost(logger, name, bridge.Endpoint.Scheme);
        }
    }

    public IReadOnlyCollection<string> Names => _hosts.Keys;

    /// <summary>The host named in a route; BadRequest for a malformed name, NotFound for one not configured.</summary>
    public IContainerHost Get(string name)
    {
        ContainerNames.ValidateHost(name);
        return _hosts.TryGetValue(name, out var entry)
            ? entry.Host
            : throw new GatewayException(ErrorCode.NotFound, $"No Docker host named '{name}' is configured.");
    }

    /// <summary>The Docker bridge itself (not its channel client), as the bridge host runs it; null when not configured.</summary>
    public IContainerHost? GetBridge(string name) => _bridges.GetValueOrDefault(name);

    public IEnumerable<IBridgeInstance> GetInstances() =>
        _hosts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (IBridgeInstance)new Instance(kv.Key, kv.Value.Resilience));

    sealed class Instance(string name, BridgeResilience resilience) : IBridgeInstance
    {
        public string Name => name;
        public string Kind => DockerHostRegistry.Kind;
        public BridgeStatus GetStatus() => resilience.GetStatus();
    }

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Docker host {Name} configured ({Scheme} endpoint)")]
    static partial void LogHost(ILogger logger, string name, string scheme);
}

/// <summary>Builds the registry at start so a bad host configuration stops the gateway with the setting named.</summary>
sealed class DockerHostRegistryStartup(DockerHostRegistry registry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.FromResult(registry.Names.Count);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
