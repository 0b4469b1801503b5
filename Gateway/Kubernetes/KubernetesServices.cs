using Gateway.Contracts.Bridges;

namespace Gateway.Kubernetes;

public static class KubernetesServices
{
    public static IServiceCollection AddKubernetes(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<KubernetesClusterRegistry>();
        services.AddSingleton<IBridgeInstanceSource>(sp => sp.GetRequiredService<KubernetesClusterRegistry>());
        services.AddHostedService<KubernetesClusterRegistryStartup>();
        return services;
    }
}
