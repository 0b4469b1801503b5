using Gateway.Bridges.Local;
using Gateway.Channel.Families;
using Gateway.Channel.Families.ObjectStorage;
using Gateway.ChannelHosting;
using Gateway.Contracts.Bridges;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Extensions.Options;

namespace Gateway.Storage;

public static class StorageServices
{
    /// <summary>The stores of <c>Gateway:Stores:{name}</c> as the "object-storage" family; bad settings stop the gateway at start.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        // One line per store kind.
        services.AddSingleton<IObjectStoreFactory, LocalStoreFactory>();
        services.AddSingleton<IObjectStoreFactory, Gateway.Bridges.S3.S3StoreFactory>();
        services.AddSingleton<IObjectStoreFactory, Gateway.Bridges.AzureBlob.AzureBlobStoreFactory>();
        services.AddSingleton<IObjectStoreFactory, Gateway.Bridges.Gcs.GcsStoreFactory>();
        services.AddSingleton<IObjectStoreFactory, Gateway.Migrations.Live.MigratingStoreFactory>();

        services.AddSingleton<PageTokenSealer>();
        services.AddHostedService<PageTokenKeyCheck>();
        services.AddOptions<StoreOptions>().Configure(o => o.Stores = configuration.GetSection(StoreOptions.Section).GetChildren().ToList()).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StoreOptions>, StoreOptionsValidator>();
        return services.AddBridgeFamily(ObjectStorageFamily.Declaration, sp => Stores(sp, composite: false), sp => Stores(sp, composite: true));
    }

    /// <summary>
    /// The configured stores of one side: the platform stores, or the migrating ones, which are made of two others
    /// reached through the registry (so they have no channel of their own, and their capabilities are their parts').
    /// </summary>
    private static List<BridgeInstance<IObjectStore>> Stores(IServiceProvider sp, bool composite)
    {
        var factories = sp.GetServices<IObjectStoreFactory>().ToDictionary(f => f.Kind, StringComparer.OrdinalIgnoreCase);
        return sp.GetRequiredService<IOptions<StoreOptions>>().Value.Stores.Where(s => IsComposite(s) == composite).Select(section =>
        {
            var store = factories[section["Kind"]!].Create(section.Key, section, sp);
            // Stores with a resilience pipeline report through BridgeHealthRegistry; the rest are listed as unknown.
            Func<BridgeStatus>? status = store is IBridgeInstance bridge ? bridge.GetStatus : null;
            var narrowing = CapabilitySettings.Of(section);
            if (!composite && narrowing.NarrowsAnything) store = new NarrowedStore(store, narrowing.Narrow(store.Capabilities));
            return new BridgeInstance<IObjectStore>(store.Name, store.Kind, store, status);
        }).ToList();
    }

    internal static bool IsComposite(IConfigurationSection store) =>
        string.Equals(store["Kind"], Gateway.Migrations.Live.MigratingStoreFactory.KindName, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The store sections of <c>Gateway:Stores</c>. Each kind binds its own settings type, so the sections stay raw here;
/// <see cref="StoreOptionsValidator"/> hands each to its kind's factory, which validates beside its bridge.
/// </summary>
public sealed class StoreOptions
{
    public const string Section = "Gateway:Stores";

    public IReadOnlyList<IConfigurationSection> Stores { get; set; } = [];
}

/// <summary>A remote-mode gateway builds only migrating stores: the other sections, if any, are the bridge host's to check and use.</summary>
public sealed class StoreOptionsValidator(IEnumerable<IObjectStoreFactory> factories, IConfiguration configuration) : IValidateOptions<StoreOptions>
{
    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        var byKind = factories.ToDictionary(f => f.Kind, StringComparer.OrdinalIgnoreCase);
        var problems = new List<string>();
        var buildsAll = ChannelRuntime.BuildsBridges(configuration);
        foreach (var section in options.Stores.Where(s => buildsAll || StorageServices.IsComposite(s)))
        {
            try { ObjectNames.ValidateStore(section.Key); }
            catch (Contracts.Errors.GatewayException e) { problems.Add($"{StoreOptions.Section}:{section.Key}: {e.Message}"); continue; }
            var kind = section["Kind"];
            if (kind is null || !byKind.TryGetValue(kind, out var factory))
                problems.Add($"{StoreOptions.Section}:{section.Key}:Kind must be one of: {string.Join(", ", byKind.Keys.Order())} (got '{kind}').");
            else
                problems.AddRange(factory.Validate(section.Key, section));
            try { CapabilitySettings.Of(section); }
            catch (InvalidOperationException e) { problems.Add($"{StoreOptions.Section}:{section.Key}:{CapabilitySettings.Section}: {e.Message}"); }
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
