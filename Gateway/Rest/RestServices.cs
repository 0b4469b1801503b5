using Gateway.Bridges.Rest;
using Gateway.Bridges.Rest.Options;
using Gateway.Channel.Families;
using Gateway.Channel.Families.Rest;
using Gateway.ChannelHosting;
using Gateway.Contracts.Rest;
using Microsoft.Extensions.Options;

namespace Gateway.Rest;

public static class RestServices
{
    /// <summary>
    /// The upstreams of <c>Gateway:Rest:Upstreams:{name}</c> as the "rest" family; bad settings stop the gateway at start.
    /// The endpoint reaches them through CTP-96: the bridge host runs the call on the configured upstream of the same name.
    /// </summary>
    public static IServiceCollection AddRestUpstreams(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RestOptions>().Bind(configuration.GetSection(RestOptions.Section)).ValidateOnStart();
        // A remote-mode gateway builds none of them: the bridge host checks and uses these settings.
        if (ChannelRuntime.BuildsBridges(configuration)) services.AddSingleton<IValidateOptions<RestOptions>, RestOptionsValidator>();
        return services.AddBridgeFamily(RestFamily.Declaration, sp =>
        {
            var loggers = sp.GetRequiredService<ILoggerFactory>();
            var time = sp.GetService<TimeProvider>();
            return sp.GetRequiredService<IOptions<RestOptions>>().Value.Upstreams.Select(u =>
            {
                IRestUpstream upstream = new RestUpstream(u.Key, u.Value, loggers, time);
                return new BridgeInstance<IRestUpstream>(u.Key, upstream.Kind, upstream, upstream.GetStatus);
            }).ToList();
        });
    }
}
