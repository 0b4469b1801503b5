using Gateway.Channel.Handshake;
using Gateway.Channel.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Channel.Connections;

/// <summary>One node's settings for a connection.</summary>
public sealed class ChannelOptions
{
    public required HybridSigningKey LocalKey { get; init; }
    /// <summary>Peer keys this node accepts (a client pins its bridge host; a host pins its clients).</summary>
    public required PeerPins PinnedPeers { get; init; }
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>A PING goes out when nothing was sent for this long.</summary>
    public TimeSpan KeepaliveInterval { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>The connection closes when nothing (not even a PING) arrived for this long.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(45);
    /// <summary>
    /// Frames sent under one key before KEY_UPDATE. 2^24 frames of at most 64 KiB stays far below AES-GCM's
    /// per-key limits (about 2^36 bytes for the usual 2^-57 bound) and the 2^64 counter.
    /// </summary>
    public ulong RekeyAfterFrames { get; init; } = 1UL << 24;
    public int MaxConcurrentStreams { get; init; } = 256;
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
    public IHandshakeEntropy? Entropy { get; init; }
    /// <summary>Describes the peer in logs (address).</summary>
    public string PeerLabel { get; init; } = "peer";

    /// <summary>Test hook: send DATA without waiting for credit, to prove the receiver enforces the window.</summary>
    internal bool IgnoreSendCredit { get; init; }
}
