using Gateway.Channel.Families;
using Gateway.Channel.Families.Catalog;
using Gateway.Contracts.Bridges;
using Microsoft.Extensions.Options;

namespace Gateway.ChannelHosting;

public static class FamilyServices
{
    /// <summary>
    /// Registers a family's instances once: the <see cref="BridgeRegistry{TBridge}"/> endpoints use, its entry in
    /// GET /v1/bridges, its dispatcher and its part of the catalog on the bridge host. The instances are built at start,
    /// right after the options were validated, in the bridge host and an in-process gateway: a remote-mode gateway builds
    /// only <paramref name="composites"/> and learns the rest from the bridge host's catalog (no platform settings needed).
    /// </summary>
    /// <param name="bridges">Builds the platform bridges of the configuration (SDK clients, credentials).</param>
    /// <param name="composites">Builds the instances made of other instances of the family (they live in every gateway).</param>
    public static IServiceCollection AddBridgeFamily<TBridge>(this IServiceCollection services, BridgeFamily<TBridge> family,
        Func<IServiceProvider, IEnumerable<BridgeInstance<TBridge>>> bridges,
        Func<IServiceProvider, IEnumerable<BridgeInstance<TBridge>>>? composites = null) where TBridge : class
    {
        services.AddSingleton(sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            ChannelRuntime Runtime() => sp.GetRequiredService<ChannelRuntime>();
            var made = composites?.Invoke(sp);
            if (!ChannelRuntime.BuildsBridges(configuration))
                return new BridgeRegistry<TBridge>(family, [], () => Runtime().Client, made, () => Runtime().Catalog!);
            // In the bridge host the endpoints' instances are the bridges themselves: they are what it serves.
            var bridgeHost = ChannelRuntime.RoleOf(configuration) == ChannelRuntime.BridgeHostRole;
            return new BridgeRegistry<TBridge>(family, bridges(sp), bridgeHost ? null : () => Runtime().Client, made);
        });
        services.AddSingleton<IBridgeInstanceSource>(sp => sp.GetRequiredService<BridgeRegistry<TBridge>>());
        services.AddSingleton<IBridgeCatalogSource>(sp => sp.GetRequiredService<BridgeRegistry<TBridge>>());
        services.AddSingleton(sp => sp.GetRequiredService<BridgeRegistry<TBridge>>().Dispatcher());
        return services;
    }

    /// <summary>
    /// A family whose instances are the entries of one options section, bound and validated at start. A remote-mode
    /// gateway builds none of them and skips <typeparamref name="TValidator"/>: the bridge host checks and uses these settings.
    /// </summary>
    public static IServiceCollection AddBridgeFamily<TBridge, TOptions, TValidator>(this IServiceCollection services, IConfiguration configuration,
        string section, BridgeFamily<TBridge> family, Func<IServiceProvider, TOptions, IEnumerable<BridgeInstance<TBridge>>> bridges)
        where TBridge : class where TOptions : class where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        if (ChannelRuntime.BuildsBridges(configuration))
        {
            services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
            services.AddSingleton<IValidateOptions<TOptions>>(new UnreadEntriesCheck<TOptions>(configuration, section));
        }
        return services.AddBridgeFamily(family, sp => bridges(sp, sp.GetRequiredService<IOptions<TOptions>>().Value));
    }
}
