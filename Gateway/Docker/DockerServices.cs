using Gateway.Bridges.Docker;
using Gateway.Bridges.Resilience;
using Gateway.Channel.Families;
using Gateway.Channel.Families.Containers;
using Gateway.ChannelHosting;
using Gateway.Contracts.Containers;
using Microsoft.Extensions.Options;

namespace Gateway.Docker;

public static class DockerServices
{
    /// <summary>The Docker hosts of <c>Gateway:Docker:Hosts</c> as the "containers" family; bad settings stop the gateway at start.</summary>
    public static IServiceCollection AddDocker(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DockerOptions>().Bind(configuration.GetSection(DockerOptions.Section)).ValidateOnStart();
        // A remote-mode gateway builds none of them: the bridge host checks and uses these settings.
        if (ChannelRuntime.BuildsBridges(configuration)) services.AddSingleton<IValidateOptions<DockerOptions>, DockerOptionsValidator>();
        return services.AddBridgeFamily(ContainersFamily.Declaration, sp =>
        {
            var loggers = sp.GetRequiredService<ILoggerFactory>();
            return sp.GetRequiredService<IOptions<DockerOptions>>().Value.Hosts.Select(host =>
            {
                var resilience = BridgePipeline.Create($"docker:{host.Key}", host.Value.Resilience, loggers);
                IContainerHost bridge = new DockerContainerHost(host.Key, new Uri(host.Value.Endpoint!), resilience.Pipeline);
                return new BridgeInstance<IContainerHost>(host.Key, "docker", bridge, () => resilience.GetStatus());
            }).ToList();
        });
    }
}
