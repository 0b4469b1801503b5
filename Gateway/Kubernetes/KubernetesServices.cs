using Gateway.Bridges.Kubernetes;
using Gateway.Bridges.Resilience;
using Gateway.Channel.Families;
using Gateway.Channel.Families.Clusters;
using Gateway.ChannelHosting;
using Gateway.Contracts.Clusters;
using Microsoft.Extensions.Options;

namespace Gateway.Kubernetes;

public static class KubernetesServices
{
    /// <summary>The clusters of <c>Gateway:Kubernetes:Clusters</c> as the "clusters" family; bad settings stop the gateway at start.</summary>
    public static IServiceCollection AddKubernetes(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KubernetesOptions>().Bind(configuration.GetSection(KubernetesOptions.Section)).ValidateOnStart();
        // A remote-mode gateway builds none of them: the bridge host checks and uses these settings.
        if (ChannelRuntime.BuildsBridges(configuration)) services.AddSingleton<IValidateOptions<KubernetesOptions>, KubernetesOptionsValidator>();
        return services.AddBridgeFamily(ClustersFamily.Declaration, sp =>
        {
            var loggers = sp.GetRequiredService<ILoggerFactory>();
            return sp.GetRequiredService<IOptions<KubernetesOptions>>().Value.Clusters.Select(cluster =>
            {
                var resilience = BridgePipeline.Create($"kubernetes:{cluster.Key}", cluster.Value.Resilience, loggers);
                IClusterClient bridge = cluster.Value.Settings.CreateCluster(cluster.Key, resilience.Pipeline);
                return new BridgeInstance<IClusterClient>(cluster.Key, "kubernetes", bridge, () => resilience.GetStatus());
            }).ToList();
        });
    }
}
