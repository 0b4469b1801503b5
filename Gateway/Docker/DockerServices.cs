using Gateway.Bridges.Docker;
using Gateway.Bridges.Resilience;
using Gateway.Channel.Families;
using Gateway.Channel.Families.Containers;
using Gateway.ChannelHosting;
using Gateway.Contracts.Containers;

namespace Gateway.Docker;

public static class DockerServices
{
    /// <summary>The Docker hosts of <c>Gateway:Docker:Hosts</c> as the "containers" family; bad settings stop the gateway at start.</summary>
    public static IServiceCollection AddDocker(this IServiceCollection services, IConfiguration configuration) =>
        services.AddBridgeFamily<IContainerHost, DockerOptions, DockerOptionsValidator>(configuration, DockerOptions.Section,
            ContainersFamily.Declaration, (sp, options) => options.Hosts.Select(host =>
            {
                var resilience = BridgePipeline.Create($"docker:{host.Key}", host.Value.Resilience, sp.GetRequiredService<ILoggerFactory>());
                IContainerHost bridge = new DockerContainerHost(host.Key, new Uri(host.Value.Endpoint!), resilience.Pipeline, host.Value.Registries,
                    host.Value.Tls is { } tls ? DockerTls.Load(tls) : null);
                return new BridgeInstance<IContainerHost>(host.Key, "docker", bridge, () => resilience.GetStatus());
            }));
}
