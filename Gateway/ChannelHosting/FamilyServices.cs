using Gateway.Channel.Families;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Bridges;

namespace Gateway.ChannelHosting;

public static class FamilyServices
{
    /// <summary>
    /// Registers a family's instances once: the <see cref="BridgeRegistry{TBridge}"/> endpoints use (its instances reached
    /// through CTP-96, or the bridges themselves in `--role bridge-host`), its entry in GET /v1/bridges, and its
    /// dispatcher on the bridge host. <paramref name="build"/> runs on first use, after the options were validated at start.
    /// </summary>
    public static IServiceCollection AddBridgeFamily<TBridge>(this IServiceCollection services, BridgeFamily<TBridge> family,
        Func<IServiceProvider, IEnumerable<BridgeInstance<TBridge>>> build) where TBridge : class
    {
        services.AddSingleton(sp =>
        {
            var runtime = sp.GetService<ChannelRuntime>();
            Func<ChannelClient>? channel = runtime is null || runtime.IsBridgeHost ? null : () => runtime.Client;
            return new BridgeRegistry<TBridge>(family, build(sp), channel);
        });
        services.AddSingleton<IBridgeInstanceSource>(sp => sp.GetRequiredService<BridgeRegistry<TBridge>>());
        services.AddSingleton<IChannelCallHandler>(sp =>
            new FamilyDispatcher<TBridge>(family, name => sp.GetRequiredService<BridgeRegistry<TBridge>>().FindBridge(name)));
        return services;
    }
}
