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

    /// <summary>How long a call's witness may wait for a signed tree head that covers it before the call fails (502 witness-failed).</summary>
    public TimeSpan HeadTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>In-process bridge host and bridge-host role: re-sign the current tree head after this long without one.</summary>
    public TimeSpan IdleHeadInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// `audit verify`: a file of trusted bridge-host public keys (one `ctp96-pub:...` per line), kept outside the data
    /// directory so that whoever can edit the audit database cannot also swap the keys it is checked against.
    /// </summary>
    public string? TrustedHostKeysFile { get; set; }

    /// <summary>
    /// The most DATA frames of one stream this node sends before the peer credits them (both ends of an in-process
    /// channel, and the bridge host role): 32 to 96, default 48. Each frame waits in a 64 KiB buffer at the reader, so
    /// this bounds what a slow reader holds per stream; below 32 (the receiver's credit batch) transfers would stall.
    /// </summary>
    public int SendWindow { get; set; } = Gateway.Channel.Connections.ChannelOptions.DefaultSendWindow;

    public RemoteHostOptions Remote { get; set; } = new();

    /// <summary>Bridge-host role: the TCP endpoint to listen on.</summary>
    public string Listen { get; set; } = "127.0.0.1:9696";

    /// <summary>Bridge-host role: bounds on unauthenticated handshake work (concurrency, per-address rate, deadline).</summary>
    public Gateway.Channel.Handshake.HandshakeLimits Handshakes { get; set; } = new();

    /// <summary>Bridge-host role: the gateway keys allowed to connect.</summary>
    public List<string> AllowedClients { get; set; } = [];
}

public sealed class RemoteHostOptions
{
    /// <summary>host:port of the bridge host.</summary>
    public string? Address { get; set; }

    /// <summary>The bridge host's public key (pinned).</summary>
    public string? HostKey { get; set; }

    /// <summary>How long one fetch of the bridge host's catalog (what it serves) may take.</summary>
    public TimeSpan CatalogTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Statuses read (GET /v1/bridges, readiness) from a catalog older than this fetch a new one in the background.</summary>
    public TimeSpan CatalogMaxAge { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Checks the channel settings at start.</summary>
public sealed class ChannelGatewayOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<ChannelGatewayOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, ChannelGatewayOptions options)
    {
        var errors = new List<string>();
        if (options.HeadTimeout <= TimeSpan.Zero || options.HeadTimeout > TimeSpan.FromSeconds(60))
            errors.Add($"{ChannelGatewayOptions.Section}:HeadTimeout must be above 0 and at most 60 seconds (got {options.HeadTimeout}).");
        if (options.IdleHeadInterval < TimeSpan.FromSeconds(1) || options.IdleHeadInterval > TimeSpan.FromSeconds(60))
            errors.Add($"{ChannelGatewayOptions.Section}:IdleHeadInterval must be between 1 and 60 seconds (got {options.IdleHeadInterval}).");
        if (options.Remote.CatalogTimeout <= TimeSpan.Zero || options.Remote.CatalogTimeout > TimeSpan.FromMinutes(5))
            errors.Add($"{ChannelGatewayOptions.Section}:Remote:CatalogTimeout must be above 0 and at most 5 minutes (got {options.Remote.CatalogTimeout}).");
        if (options.Remote.CatalogMaxAge < TimeSpan.FromSeconds(1))
            errors.Add($"{ChannelGatewayOptions.Section}:Remote:CatalogMaxAge must be at least 1 second (got {options.Remote.CatalogMaxAge}).");
        if (options.SendWindow is < Gateway.Channel.Connections.ChannelOptions.MinSendWindow or > Gateway.Channel.Connections.ChannelOptions.MaxSendWindow)
            errors.Add($"{ChannelGatewayOptions.Section}:SendWindow must be between {Gateway.Channel.Connections.ChannelOptions.MinSendWindow} and {Gateway.Channel.Connections.ChannelOptions.MaxSendWindow} frames (got {options.SendWindow}).");
        if (ListenProblem(options.Listen) is { } listen)
            errors.Add($"{ChannelGatewayOptions.Section}:Listen {listen}");
        if (options.Handshakes.Problem() is { } handshakes)
            errors.Add($"{ChannelGatewayOptions.Section}:Handshakes: {handshakes}");
        return errors.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(errors);
    }

    /// <summary>
    /// Checked with the other settings: read only when the bridge host began to listen, a bad value failed a background
    /// service and the start ended with stack traces and "A task was canceled" (session-43 probe).
    /// </summary>
    private static string? ListenProblem(string listen)
    {
        var colon = listen.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(listen.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port > 65535)
            return $"must be address:port, the port 0-65535 (got '{listen}').";
        var host = listen[..colon].Trim('[', ']');
        return host is "*" or "0.0.0.0" or "localhost" || System.Net.IPAddress.TryParse(host, out _)
            ? null : $"must name an IP address, '*', '0.0.0.0' or 'localhost', not a host name (got '{listen}').";
    }
}
