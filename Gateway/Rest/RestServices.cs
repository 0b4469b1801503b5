using Gateway.Bridges.Rest;
using Gateway.Channel;
using Gateway.Channel.Rest;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Bridges;
using Gateway.Contracts.Rest;
using Microsoft.Extensions.Options;

namespace Gateway.Rest;

public static class RestServices
{
    /// <summary>
    /// Registers the upstreams of <c>Gateway:Rest:Upstreams:{name}</c>; bad settings stop the gateway at start.
    /// The endpoint reaches them through CTP-96: the bridge host (in-process, or `--role bridge-host`) runs the
    /// "rest" call family on the configured upstream of the same name.
    /// </summary>
    public static IServiceCollection AddRestUpstreams(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp =>
        {
            var upstreams = RestUpstreamCatalog.Bind(configuration);
            var problems = RestUpstreamCatalog.Validate(upstreams);
            if (problems.Count > 0) throw new OptionsValidationException(RestUpstreamCatalog.SectionPath, typeof(RestUpstreamCatalog), problems);
            return new RestUpstreamCatalog(upstreams, sp.GetRequiredService<ILoggerFactory>(), sp.GetService<TimeProvider>());
        });
        services.AddSingleton<IChannelCallHandler>(sp => new RestCallHandler(name => sp.GetRequiredService<RestUpstreamCatalog>().Find(name)));
        services.AddSingleton<IRestUpstreamCatalog>(sp => new ChannelRestCatalog(sp.GetRequiredService<RestUpstreamCatalog>(), sp.GetService<ChannelRuntime>()));
        services.AddSingleton<IBridgeInstanceSource>(sp => sp.GetRequiredService<RestUpstreamCatalog>());
        services.AddHostedService<RestCatalogStartup>();
        return services;
    }
}

/// <summary>The upstreams as the endpoint sees them: behind the channel, unless this process is the bridge host itself.</summary>
internal sealed class ChannelRestCatalog : IRestUpstreamCatalog
{
    readonly Dictionary<string, IRestUpstream> _upstreams;

    public ChannelRestCatalog(RestUpstreamCatalog local, ChannelRuntime? channel)
    {
        _upstreams = local.Upstreams.ToDictionary(u => u.Name,
            u => channel is null || channel.IsBridgeHost ? u : new RemoteRestUpstream(() => channel.Client, u),
            StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyCollection<IRestUpstream> Upstreams => _upstreams.Values;
    public IRestUpstream? Find(string name) => _upstreams.GetValueOrDefault(name);
}

/// <summary>Builds the catalog at start so a bad upstream setting stops the gateway with the setting named.</summary>
internal sealed class RestCatalogStartup(RestUpstreamCatalog catalog) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.FromResult(catalog.Upstreams.Count);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
