using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Extensions.Options;

namespace Gateway.Storage;

/// <summary>Wraps every configured store, e.g. to route its calls through the CTP-96 channel.</summary>
public interface IObjectStoreWrapper
{
    IObjectStore Wrap(IObjectStore inner);
}

/// <summary>The configured stores (Gateway:Stores:{name}), built and validated once at start-up.</summary>
public sealed class StoreRegistry : IDisposable
{
    public const string Section = "Gateway:Stores";
    private readonly Dictionary<string, IObjectStore> _stores = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _owned = [];

    public StoreRegistry(IConfiguration configuration, IEnumerable<IObjectStoreFactory> factories,
        IEnumerable<IObjectStoreWrapper> wrappers, IServiceProvider services)
    {
        var byKind = factories.ToDictionary(f => f.Kind, StringComparer.OrdinalIgnoreCase);
        var problems = new List<string>();
        var built = new List<(string Name, IObjectStoreFactory Factory, IConfigurationSection Section)>();
        foreach (var section in configuration.GetSection(Section).GetChildren())
        {
            var name = section.Key;
            try { ObjectNames.ValidateStore(name); }
            catch (GatewayException e) { problems.Add($"{Section}:{name}: {e.Message}"); continue; }
            var kind = section["Kind"];
            if (kind is null || !byKind.TryGetValue(kind, out var factory))
            {
                problems.Add($"{Section}:{name}:Kind must be one of: {string.Join(", ", byKind.Keys.Order())} (got '{kind}').");
                continue;
            }
            var found = factory.Validate(name, section);
            if (found.Count > 0) { problems.AddRange(found); continue; }
            built.Add((name, factory, section));
        }
        if (problems.Count > 0) throw new OptionsValidationException(Section, typeof(StoreRegistry), problems);
        foreach (var (name, factory, section) in built)
        {
            var store = factory.Create(name, section, services);
            // A local store holds its root (lock file, index) until disposed.
            if (store is IDisposable owned) _owned.Add(owned);
            foreach (var wrapper in wrappers) store = wrapper.Wrap(store);
            _stores[name] = store;
        }
    }

    public IReadOnlyCollection<IObjectStore> All => _stores.Values;

    public void Dispose()
    {
        foreach (var store in _owned) store.Dispose();
    }

    public IObjectStore Get(string name)
    {
        ObjectNames.ValidateStore(name);
        return _stores.TryGetValue(name, out var store)
            ? store
            : throw new GatewayException(ErrorCode.NotFound, $"No store named '{name}' is configured.");
    }
}
