using Gateway.Channel.Rpc;
using Gateway.Contracts.Bridges;

namespace Gateway.Channel.Families.Catalog;

/// <summary>
/// The "bridge-catalog" family: one operation, answered by the bridge host from every family's registry, so a
/// remote-mode gateway learns what the host serves without building a bridge (and without any platform's settings).
/// </summary>
public static class CatalogFamily
{
    /// <summary>The instance name the gateway calls; the host answers for itself whatever the name.</summary>
    public const string Instance = "bridge-host";

    public static BridgeFamily<IBridgeCatalog> Declaration { get; } = new("bridge-catalog", "bridge catalog",
    [
        new("describe", nameof(IBridgeCatalog.DescribeAsync)) { Idempotent = true },
    ]);

    /// <summary>The host side: describes the bridges of every family registered in this process.</summary>
    public static IChannelCallHandler Dispatcher(IEnumerable<IBridgeCatalogSource> families)
    {
        var catalog = new HostCatalog([.. families]);
        return new FamilyDispatcher<IBridgeCatalog>(Declaration, _ => catalog);
    }

    private sealed class HostCatalog(IReadOnlyList<IBridgeCatalogSource> families) : IBridgeCatalog
    {
        public Task<IReadOnlyDictionary<string, IReadOnlyList<BridgeDescriptor>>> DescribeAsync(CancellationToken ct) =>
            Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<BridgeDescriptor>>>(families.ToDictionary(f => f.Family, f => f.Describe()));
    }
}

/// <summary>A family's registry as the bridge host's catalog reads it.</summary>
public interface IBridgeCatalogSource
{
    string Family { get; }

    /// <summary>The instances this process serves (never composites).</summary>
    IReadOnlyList<BridgeDescriptor> Describe();
}
