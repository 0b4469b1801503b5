using Gateway.Contracts.ObjectStorage;
using Gateway.Storage;

namespace Gateway.Migrations.Live;

/// <summary><c>Gateway:Stores:{name}</c> of kind <c>migrating</c>: <c>From</c> and <c>To</c> name two other stores.</summary>
public sealed class MigratingStoreOptions
{
    public string? From { get; set; }
    public string? To { get; set; }
    /// <summary>The store is plain <c>To</c> from start (the configured cutover, after the migration finished).</summary>
    public bool CutOver { get; set; }
}

/// <summary>
/// Builds <see cref="MigratingStore"/>s. Its parts must be plain stores (not migrating ones, not itself), so a call
/// never loops through the registry.
/// </summary>
public sealed class MigratingStoreFactory(IConfiguration configuration) : IObjectStoreFactory
{
    public const string KindName = "migrating";

    public string Kind => KindName;

    public IReadOnlyList<string> Validate(string storeName, IConfigurationSection settings)
    {
        var problems = new List<string>();
        MigratingStoreOptions options;
        try { options = Bind(settings); }
        catch (InvalidOperationException e) { return [$"{StoreOptions.Section}:{storeName}: {e.Message}"]; }
        foreach (var (field, value) in new[] { ("From", options.From), ("To", options.To) })
        {
            var where = $"{StoreOptions.Section}:{storeName}:{field}";
            if (string.IsNullOrEmpty(value)) { problems.Add($"{where} must name another configured store."); continue; }
            if (string.Equals(value, storeName, StringComparison.OrdinalIgnoreCase)) { problems.Add($"{where} cannot be the store itself."); continue; }
            var part = configuration.GetSection(StoreOptions.Section).GetSection(value);
            if (!part.Exists()) problems.Add($"{where}: no store named '{value}' is configured.");
            else if (string.Equals(part["Kind"], KindName, StringComparison.OrdinalIgnoreCase))
                problems.Add($"{where}: '{value}' is itself a migrating store; From and To must be plain stores.");
        }
        if (!string.IsNullOrEmpty(options.From) && string.Equals(options.From, options.To, StringComparison.OrdinalIgnoreCase))
            problems.Add($"{StoreOptions.Section}:{storeName}: From and To must be two different stores.");
        return problems;
    }

    public IObjectStore Create(string storeName, IConfigurationSection settings, IServiceProvider services) =>
        new MigratingStore(storeName, Bind(settings), services);

    private static MigratingStoreOptions Bind(IConfigurationSection settings)
    {
        var options = new MigratingStoreOptions();
        settings.Bind(options);
        return options;
    }
}
