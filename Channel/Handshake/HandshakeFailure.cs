namespace Gateway.Channel.Handshake;

/// <summary>Why a handshake ended. The numeric values travel in ALERT messages; do not renumber.</summary>
public enum HandshakeFailure : byte
{
    Malformed = 1,
    WrongVersion = 2,
    UnknownPeerKey = 3,
    PeerKeyMismatch = 4,
    BadSignature = 5,
    Timeout = 6,
    ConnectionClosed = 7,
    /// <summary>The peer sent an ALERT; <see cref="HandshakeException.RemoteReason"/> says why.</summary>
    RejectedByPeer = 8,
    /// <summary>The ClientHello's time is more than <see cref="ClientHelloGuard.Window"/> from the host's clock.</summary>
    StaleHello = 9,
    /// <summary>The ClientHello was already used (on this or another connection).</summary>
    ReplayedHello = 10,
    /// <summary>The host's memory of fresh hellos is full; it refuses rather than forget one.</summary>
    Overloaded = 11,
}

public sealed class HandshakeException(HandshakeFailure reason, string message, HandshakeFailure? remoteReason = null, Exception? inner = null)
    : Exception(message, inner)
{
    public HandshakeFailure Reason { get; } = reason;
    public HandshakeFailure? RemoteReason { get; } = remoteReason;
}
