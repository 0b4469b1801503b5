namespace Gateway.Tests.Migrations;

/// <summary>
/// Two local stores in temporary roots, "old" and "new", with a migrating store "live" in front of them (From old, To
/// new): the settings the live-migration tests start their gateways with.
/// </summary>
internal sealed class LiveStorePair : IDisposable
{
    public LiveStorePair(string name)
    {
        OldRoot = Directory.CreateTempSubdirectory($"{name}-old-").FullName;
        NewRoot = Directory.CreateTempSubdirectory($"{name}-new-").FullName;
    }

    public string OldRoot { get; }
    public string NewRoot { get; }

    public Dictionary<string, string?> Settings() => new()
    {
        ["Gateway:Stores:old:Kind"] = "local",
        ["Gateway:Stores:old:Root"] = OldRoot,
        ["Gateway:Stores:new:Kind"] = "local",
        ["Gateway:Stores:new:Root"] = NewRoot,
        ["Gateway:Stores:live:Kind"] = "migrating",
        ["Gateway:Stores:live:From"] = "old",
        ["Gateway:Stores:live:To"] = "new",
    };

    public void Dispose()
    {
        Directory.Delete(OldRoot, recursive: true);
        Directory.Delete(NewRoot, recursive: true);
    }
}
