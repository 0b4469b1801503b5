using Gateway.Storage;

namespace Gateway.Channel;

public static class ChannelServices
{
    /// <summary>Every object store reached through CTP-96, the audit chain, and (with --role bridge-host) the TCP listener.</summary>
    public static IServiceCollection AddChannel(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<ChannelGatewayOptions>().Bind(config.GetSection(ChannelGatewayOptions.Section)).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ChannelGatewayOptions>, ChannelGatewayOptionsValidator>();
        services.AddSingleton<ChannelRuntime>();
        services.AddSingleton<IObjectStoreWrapper, ChannelStoreWrapper>();
        services.AddHostedService<ChannelStartup>();
        services.AddHostedService<BridgeHostService>();
        return services;
    }

    /// <summary>Request ids (X-Request-Id), the audit log, its signed heads and proofs, and the witnesses of a request.</summary>
    public static WebApplication MapChannelEndpoints(this WebApplication app)
    {
        app.Use(ChannelEndpoints.RequestIdAsync);
        ChannelEndpoints.Map(app);
        return app;
    }
}
