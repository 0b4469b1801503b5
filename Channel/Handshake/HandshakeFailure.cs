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
}

public sealed class HandshakeException(HandshakeFailure reason, string message, HandshakeFailure? remoteReason = null, Exception? inner = null)
    : Exception(message, inner)
{
    public HandshakeFailure Reason { get; } = reason;
    public HandshakeFailure? RemoteReason { get; } = remoteReason;
}
