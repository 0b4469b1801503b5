using Gateway.Channel.Families;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Bridges;

namespace Gateway.ChannelHosting;

public static class FamilyServices
{
    /// <summary>
    /// Registers a family's instances once: the <see cref="BridgeRegistry{TBridge}"/> endpoints use (its instances reached
    /// through CTP-96, or the bridges themselves in `--role bridge-host`), its entry in GET /v1/bridges, and its
    /// dispatcher on the bridge host. The channel runtime (built at start) takes every dispatcher, so the instances are
    /// built at start too, right after the options were validated.
    /// </summary>
    public static IServiceCollection AddBridgeFamily<TBridge>(this IServiceCollection services, BridgeFamily<TBridge> family,
        Func<IServiceProvider, IEnumerable<BridgeInstance<TBridge>>> build) where TBridge : class
    {
        services.AddSingleton(sp =>
        {
            // In the bridge host the endpoints' instances are the bridges themselves: they are what it serves.
            var bridgeHost = ChannelRuntime.RoleOf(sp.GetRequiredService<IConfiguration>()) == ChannelRuntime.BridgeHostRole;
            Func<ChannelClient>? channel = bridgeHost ? null : () => sp.GetRequiredService<ChannelRuntime>().Client;
            return new BridgeRegistry<TBridge>(family, build(sp), channel);
        });
        services.AddSingleton<IBridgeInstanceSource>(sp => sp.GetRequiredService<BridgeRegistry<TBridge>>());
        services.AddSingleton(sp => sp.GetRequiredService<BridgeRegistry<TBridge>>().Dispatcher());
        return services;
    }
}
