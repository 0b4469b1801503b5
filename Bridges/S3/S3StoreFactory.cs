using Gateway.Bridges.Resilience;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Gateway.Bridges.S3;

/// <summary>Store kind "s3": AWS S3 or any S3-compatible service reachable through an endpoint override.</summary>
public sealed class S3StoreFactory : IObjectStoreFactory
{
    public const string KindName = "s3";
    public string Kind => KindName;

    public IReadOnlyList<string> Validate(string storeName, IConfigurationSection settings)
    {
        var problems = new List<string>(Bind(settings).Validate(storeName));
        problems.AddRange(ResilienceOptions.FromInstanceSection(settings).Validate().Select(e => $"Gateway:Stores:{storeName}:{e}"));
        return problems;
    }

    public IObjectStore Create(string storeName, IConfigurationSection settings, IServiceProvider services)
    {
        var options = Bind(settings);
        var loggers = services.GetService(typeof(ILoggerFactory)) as ILoggerFactory;
        var resilience = BridgePipeline.Create($"{KindName}:{storeName}", ResilienceOptions.FromInstanceSection(settings), loggers);
        (services.GetService(typeof(BridgeHealthRegistry)) as BridgeHealthRegistry)?.Track(KindName, storeName, resilience);
        return new S3ObjectStore(storeName, options, resilience.Pipeline);
    }

    static S3StoreOptions Bind(IConfigurationSection settings)
    {
        var options = new S3StoreOptions();
        settings.Bind(options);
        return options;
    }
}
