namespace Gateway.Channel.Rpc;

/// <summary>The caller's request id, carried into bridge calls (and so into witnesses and the audit log).</summary>
public static class ChannelRequestContext
{
    private static readonly AsyncLocal<string?> Current = new();

    public static string? RequestId
    {
        get => Current.Value;
        set => Current.Value = value;
    }

    public static string NextCallId() => Current.Value ?? Guid.NewGuid().ToString("N");
}
