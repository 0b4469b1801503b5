using System.ComponentModel.DataAnnotations;

namespace Gateway.Hosting;

/// <summary>Top-level settings (section "Gateway"). See docs/configuration.md.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Folder for the embedded state (SQLite, keys, the default local store).</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// Key (base64 of 32 bytes) that seals listing page tokens; default {DataDirectory}/keys/page-tokens.key, made on
    /// first use. Gateways behind one load balancer share the file so a token from one opens on another.
    /// </summary>
    public string? PageTokenKeyFile { get; set; }

    public LimitsOptions Limits { get; set; } = new();
}

public sealed class LimitsOptions
{
    /// <summary>Largest object body accepted by PUT, in bytes (default 5 TiB).</summary>
    [Range(0, long.MaxValue)]
    public long MaxObjectBytes { get; set; } = 5L * 1024 * 1024 * 1024 * 1024;
}
