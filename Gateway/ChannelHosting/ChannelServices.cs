using Gateway.Channel.Families.Catalog;

namespace Gateway.ChannelHosting;

public static class ChannelServices
{
    /// <summary>The channel runtime (keys, audit chain, the client every family's calls ride) and, with --role bridge-host, the TCP listener.</summary>
    public static IServiceCollection AddChannel(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<ChannelGatewayOptions>().Bind(config.GetSection(ChannelGatewayOptions.Section)).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ChannelGatewayOptions>, ChannelGatewayOptionsValidator>();
        services.AddSingleton<ChannelRuntime>();
        services.AddSingleton(sp => CatalogFamily.Dispatcher(sp.GetServices<IBridgeCatalogSource>()));
        services.AddHostedService<BridgeHostService>();
        return services;
    }

    /// <summary>Gives every request its X-Request-Id; first in the pipeline, so refusals (400, 401, 403, 431...) carry one too.</summary>
    public static WebApplication UseRequestIds(this WebApplication app)
    {
        app.Use(ChannelEndpoints.RequestIdAsync);
        return app;
    }

    /// <summary>The audit log, its signed heads and proofs, and the witnesses of a request.</summary>
    public static WebApplication MapChannelEndpoints(this WebApplication app)
    {
        ChannelEndpoints.Map(app);
        PendingAuditEndpoints.Map(app);
        return app;
    }
}
