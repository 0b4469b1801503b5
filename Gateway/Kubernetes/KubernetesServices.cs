using Gateway.Channel;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Bridges;
using Gateway.Kubernetes.Channel;

namespace Gateway.Kubernetes;

public static class KubernetesServices
{
    public static IServiceCollection AddKubernetes(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<KubernetesClusterRegistry>();
        // Calls ride CTP-96: the bridge host runs the "clusters" family on the bridges; endpoints get channel clients.
        services.AddSingleton<IChannelCallHandler>(sp => new ClusterCallHandler(name => sp.GetRequiredService<KubernetesClusterRegistry>().GetBridge(name)));
        services.AddSingleton<IClusterClientWrapper>(sp => new ChannelClusterClientWrapper(sp.GetService<ChannelRuntime>()));
        services.AddSingleton<IBridgeInstanceSource>(sp => sp.GetRequiredService<KubernetesClusterRegistry>());
        services.AddHostedService<KubernetesClusterRegistryStartup>();
        return services;
    }
}
