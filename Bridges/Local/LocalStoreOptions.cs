using System.ComponentModel.DataAnnotations;

namespace Gateway.Bridges.Local;

/// <summary>Settings of a local store (Gateway:Stores:{name} with Kind = local).</summary>
public sealed class LocalStoreOptions
{
    /// <summary>Folder holding the buckets; relative paths are resolved against the working directory.</summary>
    [Required]
    public string Root { get; set; } = "data/objects";

    /// <summary>fsync each object before it becomes visible (crash durability at a throughput cost).</summary>
    public bool Fsync { get; set; }
}
