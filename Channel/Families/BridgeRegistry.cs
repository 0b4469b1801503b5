using Gateway.Channel.Rpc;
using Gateway.Contracts.Bridges;
using Gateway.Contracts.Errors;

namespace Gateway.Channel.Families;

/// <summary>One configured bridge instance: its name and kind, the bridge itself, and how it reports its health.</summary>
/// <param name="Composite">
/// The bridge is made of other instances of the same registry, reached through the registry's facades (so each of
/// its calls rides the channel on its own): the endpoints use it as it is, never through a channel of its own.
/// </param>
public sealed record BridgeInstance<TBridge>(string Name, string Kind, TBridge Bridge, Func<BridgeStatus>? Status = null, bool Composite = false)
    where TBridge : class;

/// <summary>
/// The configured instances of one family. Endpoints get <see cref="Get"/>: a <see cref="FamilyClient"/> through the
/// channel, or the bridge itself in a process that is the bridge host. The bridge host gets <see cref="FindBridge"/>.
/// </summary>
public sealed class BridgeRegistry<TBridge> : IBridgeInstanceSource, IDisposable where TBridge : class
{
    private readonly BridgeFamily<TBridge> _family;
    private readonly Dictionary<string, (BridgeInstance<TBridge> Instance, TBridge Facade)> _instances;

    /// <param name="channel">The channel the endpoints' calls ride; null in the bridge host itself, which serves the bridges.</param>
    public BridgeRegistry(BridgeFamily<TBridge> family, IEnumerable<BridgeInstance<TBridge>> instances, Func<ChannelClient>? channel)
    {
        _family = family;
        _instances = new(family.InstanceNamesIgnoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (var instance in instances)
            _instances[instance.Name] = (instance, channel is null || instance.Composite
                ? instance.Bridge
                : FamilyClient.Create(family, channel, instance.Name, instance.Bridge, instance.Kind));
    }

    public BridgeFamily<TBridge> Family => _family;

    public IReadOnlyCollection<string> Names => _instances.Keys;

    /// <summary>Every instance as the endpoints reach it.</summary>
    public IEnumerable<TBridge> All => _instances.Values.Select(v => v.Facade);

    /// <summary>The instance named in a route; BadRequest for a malformed name, NotFound for one not configured.</summary>
    public TBridge Get(string name)
    {
        _family.ValidateInstanceName?.Invoke(name);
        return Find(name) ?? throw new GatewayException(ErrorCode.NotFound, $"No {_family.InstanceNoun} named '{name}' is configured.");
    }

    public TBridge? Find(string name) => _instances.TryGetValue(name, out var entry) ? entry.Facade : null;

    /// <summary>
    /// The bridge itself, as the bridge host runs it; null when not configured. A composite is never served by a host:
    /// its parts are, each call on its own, so no call ever nests inside another on the channel.
    /// </summary>
    public TBridge? FindBridge(string name) =>
        _instances.TryGetValue(name, out var entry) && !entry.Instance.Composite ? entry.Instance.Bridge : null;

    /// <summary>The host-side dispatcher of this family over these instances.</summary>
    public IChannelCallHandler Dispatcher() => new FamilyDispatcher<TBridge>(_family, FindBridge);

    public IEnumerable<IBridgeInstance> GetInstances() =>
        _instances.Values.OrderBy(v => v.Instance.Name, StringComparer.Ordinal).Select(v => (IBridgeInstance)new Listed(v.Instance));

    public void Dispose()
    {
        foreach (var (instance, _) in _instances.Values)
            (instance.Bridge as IDisposable)?.Dispose();
    }

    private sealed class Listed(BridgeInstance<TBridge> instance) : IBridgeInstance
    {
        public string Name => instance.Name;
        public string Kind => instance.Kind;
        public BridgeStatus GetStatus() => instance.Status?.Invoke() ?? BridgeStatus.Unknown;
    }
}
