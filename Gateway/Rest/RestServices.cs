using Gateway.Bridges.Rest;
using Gateway.Contracts.Bridges;
using Gateway.Contracts.Rest;
using Microsoft.Extensions.Options;

namespace Gateway.Rest;

public static class RestServices
{
    /// <summary>Registers the upstreams of <c>Gateway:Rest:Upstreams:{name}</c>; bad settings stop the gateway at start.</summary>
    public static IServiceCollection AddRestUpstreams(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp =>
        {
            var upstreams = RestUpstreamCatalog.Bind(configuration);
            var problems = RestUpstreamCatalog.Validate(upstreams);
            if (problems.Count > 0) throw new OptionsValidationException(RestUpstreamCatalog.SectionPath, typeof(RestUpstreamCatalog), problems);
            return new RestUpstreamCatalog(upstreams, sp.GetRequiredService<ILoggerFactory>(), sp.GetService<TimeProvider>());
        });
        services.AddSingleton<IRestUpstreamCatalog>(sp => sp.GetRequiredService<RestUpstreamCatalog>());
        services.AddSingleton<IBridgeInstanceSource>(sp => sp.GetRequiredService<RestUpstreamCatalog>());
        services.AddHostedService<RestCatalogStartup>();
        return services;
    }
}

/// <summary>Builds the catalog at start so a bad upstream setting stops the gateway with the setting named.</summary>
internal sealed class RestCatalogStartup(RestUpstreamCatalog catalog) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.FromResult(catalog.Upstreams.Count);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
