using Gateway.Bridges.Resilience;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Gateway.Bridges.Gcs;

/// <summary>Store kind "gcs": Google Cloud Storage over its JSON API.</summary>
public sealed class GcsStoreFactory : IObjectStoreFactory
{
    public const string KindName = "gcs";
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
        return new GcsObjectStore(storeName, Bind(settings), resilience.Pipeline);
    }

    static GcsStoreOptions Bind(IConfigurationSection settings)
    {
        var options = new GcsStoreOptions();
        settings.Bind(options);
        return options;
    }
}
