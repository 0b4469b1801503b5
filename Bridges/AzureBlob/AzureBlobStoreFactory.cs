using Gateway.Bridges.Resilience;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Gateway.Bridges.AzureBlob;

/// <summary>Store kind "azure-blob": Azure Blob Storage (or Azurite); buckets are containers.</summary>
public sealed class AzureBlobStoreFactory : IObjectStoreFactory
{
    public const string KindName = "azure-blob";
    public string Kind => KindName;

    public IReadOnlyList<string> Validate(string storeName, IConfigurationSection settings)
    {
        var problems = new List<string>(Bind(settings).Validate(storeName));
        problems.AddRange(ResilienceOptions.FromInstanceSection(settings).Validate().Select(e => $"Gateway:Stores:{storeName}:{e}"));
        return problems;
    }

    public IObjectStore Create(string storeName, IConfigurationSection settings, IServiceProvider services)
    {
        var loggers = services.GetService(typeof(ILoggerFactory)) as ILoggerFactory;
        var resilience = BridgePipeline.Create($"{KindName}:{storeName}", ResilienceOptions.FromInstanceSection(settings), loggers);
        (services.GetService(typeof(BridgeHealthRegistry)) as BridgeHealthRegistry)?.Track(KindName, storeName, resilience);
        return new AzureBlobObjectStore(storeName, Bind(settings), resilience.Pipeline);
    }

    static AzureBlobStoreOptions Bind(IConfigurationSection settings)
    {
        var options = new AzureBlobStoreOptions();
        settings.Bind(options);
        return options;
    }
}
