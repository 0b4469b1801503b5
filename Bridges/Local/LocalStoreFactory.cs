using Gateway.Contracts.ObjectStorage;
using Microsoft.Extensions.Configuration;

namespace Gateway.Bridges.Local;

public sealed class LocalStoreFactory : IObjectStoreFactory
{
    public string Kind => LocalObjectStore.KindName;

    public IReadOnlyList<string> Validate(string storeName, IConfigurationSection settings)
    {
        var options = Bind(settings);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Root))
            problems.Add($"Gateway:Stores:{storeName}:Root must name a folder.");
        if (settings["Fsync"] is { } fsync && !bool.TryParse(fsync, out _))
            problems.Add($"Gateway:Stores:{storeName}:Fsync must be true or false.");
        // A value here would be taken silently and do nothing: the local store makes no network call to retry or time out.
        if (settings.GetSection("Resilience").Exists())
            problems.Add($"Gateway:Stores:{storeName}:Resilience does not apply to a local store (it runs no resilience pipeline): remove the section.");
        return problems;
    }

    public IObjectStore Create(string storeName, IConfigurationSection settings, IServiceProvider services) =>
        new LocalObjectStore(storeName, Bind(settings));

    public static LocalStoreOptions Bind(IConfigurationSection settings) => new()
    {
        Root = settings["Root"] ?? new LocalStoreOptions().Root,
        Fsync = bool.TryParse(settings["Fsync"], out var fsync) && fsync,
    };
}
