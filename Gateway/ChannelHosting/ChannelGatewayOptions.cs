namespace Gateway.ChannelHosting;

/// <summary>
/// Settings of the CTP-96 channel (section "Gateway:Channel"). See docs/ctp96.md.
/// Keys and peer keys are given as "ctp96-pub:..." text or as a path to a .pub file.
/// </summary>
public sealed class ChannelGatewayOptions
{
    public const string Section = "Gateway:Channel";

    /// <summary>"in-process" (default: the bridge host runs inside the gateway) or "remote" (dial a bridge host over TCP).</summary>
    public string Mode { get; set; } = "in-process";

    /// <summary>This node's private key file; default {DataDirectory}/keys/node.key. Generated on first run in Development only.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Audit chain database; default {DataDirectory}/audit.db.</summary>
    public string? AuditDatabase { get; set; }

    public RemoteHostOptions Remote { get; set; } = new();

    /// <summary>Bridge-host role: the TCP endpoint to listen on.</summary>
    public string Listen { get; set; } = "127.0.0.1:9696";

    /// <summary>Bridge-host role: the gateway keys allowed to connect.</summary>
    public List<string> AllowedClients { get; set; } = [];
}

public sealed class RemoteHostOptions
{
    /// <summary>host:port of the bridge host.</summary>
    public string? Address { get; set; }

    /// <summary>The bridge host's public key (pinned).</summary>
    public string? HostKey { get; set; }
}
