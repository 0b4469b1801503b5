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
        services.AddOptions<StoreOptions>().Configure(o => o.Stores = configuration.GetSection(StoreOptions.Section).GetChildren().ToList()).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StoreOptions>, StoreOptionsValidator>();
        return services.AddBridgeFamily(ObjectStorageFamily.Declaration, sp =>
        {
            var factories = sp.GetServices<IObjectStoreFactory>().ToDictionary(f => f.Kind, StringComparer.OrdinalIgnoreCase);
            return sp.GetRequiredService<IOptions<StoreOptions>>().Value.Stores.Select(section =>
            {
                var store = factories[section["Kind"]!].Create(section.Key, section, sp);
                // Stores with a resilience pipeline report through BridgeHealthRegistry; the rest are listed as unknown.
                Func<BridgeStatus>? status = store is IBridgeInstance bridge ? bridge.GetStatus : null;
                // A migrating store is made of two others, reached through this registry: it has no channel of its own,
                // and its capabilities are its parts' (narrow those).
                if (store is Gateway.Migrations.Live.MigratingStore) return new BridgeInstance<IObjectStore>(store.Name, store.Kind, store, status, Composite: true);
                var narrowing = CapabilitySettings.Of(section);
                if (narrowing.NarrowsAnything) store = new NarrowedStore(store, narrowing.Narrow(store.Capabilities));
                return new BridgeInstance<IObjectStore>(store.Name, store.Kind, store, status);
            }).ToList();
        });
    }
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

public sealed class StoreOptionsValidator(IEnumerable<IObjectStoreFactory> factories) : IValidateOptions<StoreOptions>
{
    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        var byKind = factories.ToDictionary(f => f.Kind, StringComparer.OrdinalIgnoreCase);
        var problems = new List<string>();
        foreach (var section in options.Stores)
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
