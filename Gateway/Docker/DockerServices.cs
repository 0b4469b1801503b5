using Gateway.Contracts.Bridges;

namespace Gateway.Docker;

public static class DockerServices
{
    public static IServiceCollection AddDocker(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<DockerHostRegistry>();
        services.AddSingleton<IBridgeInstanceSource>(sp => sp.GetRequiredService<DockerHostRegistry>());
        services.AddHostedService<DockerHostRegistryStartup>();
        return services;
    }
}
