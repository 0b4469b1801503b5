using Gateway.Channel;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Bridges;
using Gateway.Docker.Channel;

namespace Gateway.Docker;

public static class DockerServices
{
    public static IServiceCollection AddDocker(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<DockerHostRegistry>();
        // Calls ride CTP-96: the bridge host runs the "containers" family on the bridges; endpoints get channel clients.
        services.AddSingleton<IChannelCallHandler>(sp => new ContainerHostCallHandler(name => sp.GetRequiredService<DockerHostRegistry>().GetBridge(name)));
        services.AddSingleton<IContainerHostWrapper>(sp => new ChannelContainerHostWrapper(sp.GetService<ChannelRuntime>()));
        services.AddSingleton<IBridgeInstanceSource>(sp => sp.GetRequiredService<DockerHostRegistry>());
        services.AddHostedService<DockerHostRegistryStartup>();
        return services;
    }
}
