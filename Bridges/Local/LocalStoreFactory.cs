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
