namespace Gateway.Channel.Framing;

/// <summary>Why a connection was closed.</summary>
public enum ChannelCloseReason
{
    /// <summary>A frame's GCM tag did not verify: tampered header or ciphertext, or a forged frame.</summary>
    AuthenticationFailed,
    /// <summary>A frame carried a sequence number already seen.</summary>
    Replayed,
    /// <summary>A frame carried a sequence number ahead of the next expected one.</summary>
    Reordered,
    /// <summary>A frame declared a payload above 64 KiB.</summary>
    Oversized,
    /// <summary>A peer sent DATA beyond the 96-frame window, or granted credit beyond it.</summary>
    WindowExceeded,
    /// <summary>A buffered message grew past 16 MiB.</summary>
    MessageTooLarge,
    /// <summary>A frame that is well-formed cryptographically but breaks the protocol (unknown type, wrong stream...).</summary>
    ProtocolViolation,
    /// <summary>A connection's stream ids ran out (see ChannelOptions.MaxStreamId); a new connection carries on.</summary>
    StreamIdsExhausted,
    IdleTimeout,
    PeerClosed,
    TransportError,
    Disposed,
}

/// <summary>The connection is closed (or was closed by this error). Derives from IOException so stream callers see an I/O failure.</summary>
public sealed class ChannelProtocolException(ChannelCloseReason reason, string message, Exception? inner = null) : IOException(message, inner)
{
    public ChannelCloseReason Reason { get; } = reason;

    /// <summary>
    /// The connection ended the way a crash, restart or network cut ends it, not because a frame failed a check (tampered,
    /// replayed, reordered, oversized) nor because this side closed it.
    /// </summary>
    public static bool IsConnectionLoss(Exception e) => e switch
    {
        ChannelProtocolException p => p.Reason is ChannelCloseReason.PeerClosed or ChannelCloseReason.TransportError
            or ChannelCloseReason.IdleTimeout or ChannelCloseReason.StreamIdsExhausted,
        ChannelStreamResetException => false,
        IOException => true,
        _ => false,
    };
}

/// <summary>The peer reset one stream; the connection stays open.</summary>
public sealed class ChannelStreamResetException(string code, string message) : IOException(message)
{
    public string Code { get; } = code;
}
