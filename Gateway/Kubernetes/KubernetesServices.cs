using Gateway.Bridges.Kubernetes;
using Gateway.Bridges.Resilience;
using Gateway.Channel.Families;
using Gateway.Channel.Families.Clusters;
using Gateway.ChannelHosting;
using Gateway.Contracts.Clusters;

namespace Gateway.Kubernetes;

public static class KubernetesServices
{
    /// <summary>The clusters of <c>Gateway:Kubernetes:Clusters</c> as the "clusters" family; bad settings stop the gateway at start.</summary>
    public static IServiceCollection AddKubernetes(this IServiceCollection services, IConfiguration configuration) =>
        services.AddBridgeFamily<IClusterClient, KubernetesOptions, KubernetesOptionsValidator>(configuration, KubernetesOptions.Section,
            ClustersFamily.Declaration, (sp, options) => options.Clusters.Select(cluster =>
            {
                var resilience = BridgePipeline.Create($"kubernetes:{cluster.Key}", cluster.Value.Resilience, sp.GetRequiredService<ILoggerFactory>());
                IClusterClient bridge = cluster.Value.Settings.CreateCluster(cluster.Key, resilience.Pipeline);
                return new BridgeInstance<IClusterClient>(cluster.Key, "kubernetes", bridge, () => resilience.GetStatus());
            }));
}
