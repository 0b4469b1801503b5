using System.Collections.Concurrent;

namespace Gateway.Migrations.Live;

/// <summary>A migrating store that was cut over: from then on it is plain <see cref="To"/>.</summary>
public sealed record Cutover(string Store, string From, string To, string Migration, DateTimeOffset CutOverAt);

/// <summary>Cutovers made through the API, kept in the migration database so they survive a restart.</summary>
public sealed class StoreCutovers
{
    private readonly MigrationDatabase _db;
    private readonly ConcurrentDictionary<string, Cutover> _cutovers;

    public StoreCutovers(MigrationDatabase db)
    {
        _db = db;
        _cutovers = new(db.Cutovers().Select(c => KeyValuePair.Create(c.Store, c)), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Held by a cutover's last checks and its record, and by the creation or resume of a job: neither can slip in
    /// between the other's check and its act (a job created while a cutover awaited its checks of To ran after it).
    /// </summary>
    public Lock Gate { get; } = new();

    public Cutover? Find(string store) => _cutovers.GetValueOrDefault(store);

    public Cutover Record(Cutover cutover)
    {
        _db.AddCutover(cutover);
        return _cutovers.GetOrAdd(cutover.Store, cutover);
    }
}
