using Gateway.Channel.Families.Catalog;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Bridges;
using Gateway.Contracts.Errors;

namespace Gateway.Channel.Families;

/// <summary>
/// One bridge instance: its name and kind, the bridge (built in this process, or a <see cref="FamilyClient"/> to it) and
/// how it reports its health, as <c>GET /v1/bridges</c> lists it.
/// </summary>
public sealed record BridgeInstance<TBridge>(string Name, string Kind, TBridge Bridge, Func<BridgeStatus>? Status = null) : IBridgeInstance
    where TBridge : class
{
    public BridgeStatus GetStatus() => Status?.Invoke() ?? BridgeStatus.Unknown;
}

/// <summary>
/// The instances of one family. Endpoints get <see cref="Get"/>: a <see cref="FamilyClient"/> through the channel, or
/// the bridge itself in a process that is the bridge host. The bridge host serves <see cref="FindBridge"/> and
/// describes them (<see cref="Describe"/>). A remote-mode gateway builds no bridge: its instances are the ones the
/// bridge host's catalog describes, each reached through the channel.
/// </summary>
/// <param name="bridges">The bridges built in this process (none in a remote-mode gateway).</param>
/// <param name="channel">The channel the endpoints' calls ride; null in the bridge host itself, which serves the bridges.</param>
/// <param name="composites">
/// Instances made of other instances of this registry, reached through its facades (so each of their calls rides
/// the channel on its own): used as they are, never through a channel of their own, never served or described.
/// </param>
/// <param name="catalog">A remote-mode gateway's view of the bridge host: the instances it describes join the composites.</param>
public sealed class BridgeRegistry<TBridge>(BridgeFamily<TBridge> family, IEnumerable<BridgeInstance<TBridge>> bridges, Func<ChannelClient>? channel,
    IEnumerable<BridgeInstance<TBridge>>? composites = null, Func<RemoteBridgeCatalog>? catalog = null)
    : IBridgeInstanceSource, IBridgeCatalogSource, IDisposable where TBridge : class
{
    /// <summary>The instances as the endpoints reach them (by name), and the catalog they were made from (none when built here).</summary>
    private sealed record Entries(CatalogSnapshot? Version, Dictionary<string, BridgeInstance<TBridge>> ByName);

    private readonly BridgeFamily<TBridge> _family = family;
    private readonly Dictionary<string, BridgeInstance<TBridge>> _bridges = ByName(family, bridges);
    private readonly IReadOnlyList<BridgeInstance<TBridge>> _composites = [.. composites ?? []];
    private Entries? _entries;

    string IBridgeCatalogSource.Family => _family.Name;

    public IReadOnlyCollection<string> Names => Current.Keys;

    /// <summary>Every instance as the endpoints reach it.</summary>
    public IEnumerable<TBridge> All => Current.Values.Select(e => e.Bridge);

    /// <summary>The instances built in this process (composites included): none but composites in a remote-mode gateway.</summary>
    public IEnumerable<BridgeInstance<TBridge>> Built => _bridges.Values.Concat(_composites);

    /// <summary>The instance named in a route; BadRequest for a malformed name, NotFound for one not configured.</summary>
    public TBridge Get(string name)
    {
        _family.ValidateInstanceName?.Invoke(name);
        return Find(name) ?? throw new GatewayException(ErrorCode.NotFound, $"No {_family.InstanceNoun} named '{name}' is configured.");
    }

    public TBridge? Find(string name)
    {
        if (Current.TryGetValue(name, out var entry)) return entry.Bridge;
        // The bridge host may have been given the instance since its catalog was fetched: ask again, not on every miss.
        catalog?.Invoke().RefreshWhenOlderThan(TimeSpan.FromSeconds(5));
        return null;
    }

    /// <summary>The bridge itself, as the bridge host runs it; null when not built here. A composite is never served: its parts are.</summary>
    public TBridge? FindBridge(string name) => _bridges.GetValueOrDefault(name)?.Bridge;

    /// <summary>The host-side dispatcher of this family over these instances.</summary>
    public IChannelCallHandler Dispatcher() => new FamilyDispatcher<TBridge>(_family, FindBridge);

    /// <summary>The bridges this process serves, as the bridge host's catalog describes them.</summary>
    public IReadOnlyList<BridgeDescriptor> Describe() => [.. _bridges.Values.OrderBy(b => b.Name, StringComparer.Ordinal)
        .Select(b => new BridgeDescriptor(b.Name, b.Kind, b.GetStatus(), _family.FactsOf(b.Bridge)))];

    public IEnumerable<IBridgeInstance> GetInstances()
    {
        if (catalog?.Invoke() is { } remote)
        {
            // Statuses of described instances are the host's as of the last fetch: reading them asks for a newer one when it is old.
            remote.RefreshWhenOlderThan();
            // Without any catalog the listing still answers (and the status page shows), one entry per family saying why.
            if (remote.Missing is { } why)
                return [new Unreachable(CatalogFamily.Instance, _family.Name, new(BridgeHealth.Unhealthy, CircuitStates.None, LastError: why))];
        }
        return Current.Values.OrderBy(e => e.Name, StringComparer.Ordinal);
    }

    public void Dispose()
    {
        foreach (var instance in Built) (instance.Bridge as IDisposable)?.Dispose();
    }

    /// <summary>The instances by name; of two with the same name the later wins (a composite over a bridge).</summary>
    private static Dictionary<string, BridgeInstance<TBridge>> ByName(BridgeFamily<TBridge> family, IEnumerable<BridgeInstance<TBridge>> instances)
    {
        var byName = new Dictionary<string, BridgeInstance<TBridge>>(
            family.InstanceNamesIgnoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (var instance in instances) byName[instance.Name] = instance;
        return byName;
    }

    /// <summary>The instances as the endpoints reach them; in a remote-mode gateway the catalog's, made again from a newer one.</summary>
    private Dictionary<string, BridgeInstance<TBridge>> Current
    {
        get
        {
            var version = catalog?.Invoke().Current;
            var entries = _entries;
            if (entries is not null && ReferenceEquals(entries.Version, version)) return entries.ByName;
            var instances = version is null
                ? _bridges.Values.Select(b => channel is null ? b
                    : b with { Bridge = FamilyClient.Create(_family, channel, b.Name, b.Bridge, b.Kind) })
                : version.Of(_family.Name).Select(d =>
                    new BridgeInstance<TBridge>(d.Name, d.Kind, FamilyClient.Create(_family, channel!, d), () => RemoteStatus(d)));
            _entries = entries = new(version, ByName(_family, instances.Concat(_composites)));
            return entries.ByName;
        }
    }

    /// <summary>
    /// A described instance's status as the host last gave it; unhealthy, saying why, while the host does not answer (the
    /// host's last word would still say healthy, and readiness and the listing would disagree).
    /// </summary>
    private BridgeStatus RemoteStatus(BridgeDescriptor d) => catalog!().Stale is { } why
        ? d.Status with { Health = BridgeHealth.Unhealthy, LastError = why }
        : d.Status;

    /// <summary>What the listing shows of a family while the bridge host's catalog cannot be fetched.</summary>
    private sealed record Unreachable(string Name, string Kind, BridgeStatus Status) : IBridgeInstance
    {
        public BridgeStatus GetStatus() => Status;
    }
}
