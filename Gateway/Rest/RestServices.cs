using Gateway.Bridges.Rest;
using Gateway.Bridges.Rest.Options;
using Gateway.Channel.Families;
using Gateway.Channel.Families.Rest;
using Gateway.ChannelHosting;
using Gateway.Contracts.Rest;

namespace Gateway.Rest;

public static class RestServices
{
    /// <summary>
    /// The upstreams of <c>Gateway:Rest:Upstreams:{name}</c> as the "rest" family; bad settings stop the gateway at start.
    /// The endpoint reaches them through CTP-96: the bridge host runs the call on the configured upstream of the same name.
    /// </summary>
    public static IServiceCollection AddRestUpstreams(this IServiceCollection services, IConfiguration configuration) =>
        services.AddBridgeFamily<IRestUpstream, RestOptions, RestOptionsValidator>(configuration, RestOptions.Section, RestFamily.Declaration,
            (sp, options) => options.Upstreams.Select(u =>
            {
                IRestUpstream upstream = new RestUpstream(u.Key, u.Value, sp.GetRequiredService<ILoggerFactory>(), sp.GetService<TimeProvider>());
                return new BridgeInstance<IRestUpstream>(u.Key, upstream.Kind, upstream, upstream.GetStatus);
            }));
}
