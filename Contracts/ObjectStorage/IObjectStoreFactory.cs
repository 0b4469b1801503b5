using Microsoft.Extensions.Configuration;

namespace Gateway.Contracts.ObjectStorage;

/// <summary>
/// Builds stores of one kind ("local", "s3", "azure-blob", "gcs") from their configuration section
/// (Gateway:Stores:{name}). Registered in DI; the gateway picks the factory by the section's Kind.
/// </summary>
public interface IObjectStoreFactory
{
    string Kind { get; }
    /// <summary>Checks settings at start-up; returns the problems found, each naming the setting to fix.</summary>
    IReadOnlyList<string> Validate(string storeName, IConfigurationSection settings);
    IObjectStore Create(string storeName, IConfigurationSection settings, IServiceProvider services);
}
