using System.ComponentModel.DataAnnotations;

namespace Gateway.Hosting;

/// <summary>Top-level settings (section "Gateway"). See docs/configuration.md.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Folder for the embedded state (SQLite, keys, the default local store).</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    public LimitsOptions Limits { get; set; } = new();
}

public sealed class LimitsOptions
{
    /// <summary>Largest object body accepted by PUT, in bytes (default 5 TiB).</summary>
    [Range(0, long.MaxValue)]
    public long MaxObjectBytes { get; set; } = 5L * 1024 * 1024 * 1024 * 1024;
}
