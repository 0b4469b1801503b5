using Gateway.Contracts.ObjectStorage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Polly;

namespace Gateway.Bridges.Resilience;

/// <summary>The settings of one cloud store kind, bound from its Gateway:Stores:{name} section.</summary>
public interface IStoreSettings
{
    /// <summary>The problems found, each naming the setting to fix.</summary>
    IReadOnlyList<string> Validate(string storeName);
}

/// <summary>
/// A cloud store kind: binds its settings, checks them together with the instance's resilience settings, and builds
/// each store inside a pipeline of its own whose circuit the health registry tracks.
/// </summary>
public abstract class ResilientStoreFactory<TSettings> : IObjectStoreFactory where TSettings : IStoreSettings, new()
{
    public abstract string Kind { get; }

    protected abstract IObjectStore Create(string storeName, TSettings settings, ResiliencePipeline pipeline);

    public IReadOnlyList<string> Validate(string storeName, IConfigurationSection settings)
    {
        var problems = new List<string>(Bind(settings).Validate(storeName));
        problems.AddRange(ResilienceOptions.FromInstanceSection(settings).Validate().Select(e => $"Gateway:Stores:{storeName}:{e}"));
        return problems;
    }

    public IObjectStore Create(string storeName, IConfigurationSection settings, IServiceProvider services)
    {
        var loggers = services.GetService(typeof(ILoggerFactory)) as ILoggerFactory;
        var resilience = BridgePipeline.Create($"{Kind}:{storeName}", ResilienceOptions.FromInstanceSection(settings), loggers);
        (services.GetService(typeof(BridgeHealthRegistry)) as BridgeHealthRegistry)?.Track(Kind, storeName, resilience);
        return Create(storeName, Bind(settings), resilience.Pipeline);
    }

    private static TSettings Bind(IConfigurationSection section)
    {
        var settings = new TSettings();
        section.Bind(settings);
        return settings;
    }
}
