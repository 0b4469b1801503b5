using Gateway.Bridges.Local;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Storage;

public static class StorageServices
{
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        // One line per store kind.
        services.AddSingleton<IObjectStoreFactory, LocalStoreFactory>();
        services.AddSingleton<IObjectStoreFactory, Gateway.Bridges.S3.S3StoreFactory>();
        services.AddSingleton<IObjectStoreFactory, Gateway.Bridges.AzureBlob.AzureBlobStoreFactory>();
        services.AddSingleton<IObjectStoreFactory, Gateway.Bridges.Gcs.GcsStoreFactory>();

        services.AddSingleton<StoreRegistry>();
        services.AddSingleton<PageTokenSealer>();
        services.AddHostedService<StoreRegistryStartup>();
        return services;
    }
}

/// <summary>Builds the registry at start so a bad store configuration stops the gateway with the setting named.</summary>
internal sealed class StoreRegistryStartup(StoreRegistry registry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.FromResult(registry.All.Count);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
