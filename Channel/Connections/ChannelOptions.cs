using Gateway.Channel.Handshake;
using Gateway.Channel.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Channel.Connections;

/// <summary>One node's settings for a connection (a record, so a variant is `options with { ... }`).</summary>
public sealed record ChannelOptions
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
    /// Frames sent under one key before KEY_UPDATE: at most <see cref="MaxFramesPerKey"/> (2^21). A frame carries at most
    /// 64 KiB, i.e. 2^12 AES blocks, so one key encrypts at most 2^33 blocks (128 GiB). That keeps the margin TLS 1.3
    /// uses for AES-GCM (RFC 8446 section 5.5: 2^24.5 full records of 2^14 bytes, about 2^34.5 blocks, for an
    /// attacker advantage below 2^-57), with room to spare; the 64-bit frame counter is never the limit.
    /// </summary>
    public ulong RekeyAfterFrames
    {
        get => _rekeyAfterFrames;
        init => _rekeyAfterFrames = value is > 0 and <= MaxFramesPerKey
            ? value
            : throw new ArgumentOutOfRangeException(nameof(RekeyAfterFrames), value, $"Rekey after 1 to {MaxFramesPerKey} frames.");
    }

    /// <summary>The most frames one traffic key may protect (2^21), see <see cref="RekeyAfterFrames"/>.</summary>
    public const ulong MaxFramesPerKey = Framing.FrameCipher.MaxFramesPerKey;

    /// <summary>Test hook: the most frames accepted from the peer under one key (the protocol's bound unless a test lowers it).</summary>
    internal ulong ReceiveKeyLimit { get; init; } = MaxFramesPerKey;
    private readonly ulong _rekeyAfterFrames = MaxFramesPerKey;

    public int MaxConcurrentStreams { get; init; } = 256;

    /// <summary>
    /// The most DATA frames of one stream this side keeps in flight (sent, not yet credited): local sender policy,
    /// not a wire change. The protocol lets a receiver hold <see cref="ChannelConnection.StreamWindow"/> (96) frames;
    /// each sits in a 64 KiB buffer until read, so a slow reader of many streams holds 6 MiB per stream. Fewer in
    /// flight bounds that at the cost of a pause while credit travels. At least <see cref="MinSendWindow"/> (the
    /// receiver's credit batch: it grants credit only after consuming that many, so a smaller limit would wait for a
    /// grant that never comes), at most <see cref="MaxSendWindow"/>.
    /// </summary>
    public int SendWindow
    {
        get => _sendWindow;
        init => _sendWindow = value is >= MinSendWindow and <= MaxSendWindow
            ? value
            : throw new ArgumentOutOfRangeException(nameof(SendWindow), value, $"The send window is {MinSendWindow} to {MaxSendWindow} frames.");
    }
    private readonly int _sendWindow = DefaultSendWindow;

    /// <summary>The smallest <see cref="SendWindow"/>: the receiver's credit batch.</summary>
    public const int MinSendWindow = ChannelStream.CreditBatch;
    /// <summary>The largest <see cref="SendWindow"/>: the protocol's stream window.</summary>
    public const int MaxSendWindow = ChannelConnection.StreamWindow;
    /// <summary>Default <see cref="SendWindow"/>: one credit batch plus half of one still in flight while a grant travels.</summary>
    public const int DefaultSendWindow = 48;

    /// <summary>
    /// The highest stream id a connection uses. A client that reaches it opens no further stream on that connection:
    /// the next call dials a fresh one, and the old one sends GOAWAY once its calls finished. A host closes a
    /// connection whose client goes past it. Default 2^30, far from the 2^31 ids a 31-bit counter holds.
    /// </summary>
    public uint MaxStreamId { get; init; } = 1u << 30;
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
    public IHandshakeEntropy? Entropy { get; init; }
    /// <summary>
    /// Bridge hosts: the memory of ClientHellos shared by all connections to this host key, so a replayed hello is
    /// refused before the host signs (the ChannelHost sets one). Null: freshness and proof are still checked.
    /// The hello's time is always the wall clock, not <see cref="TimeProvider"/>.
    /// </summary>
    public ClientHelloGuard? ClientHelloGuard { get; init; }
    /// <summary>The clock of keepalive, idle timeout and reconnect backoff (tests move a fake one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
    /// <summary>Describes the peer in logs (address).</summary>
    public string PeerLabel { get; init; } = "peer";

    /// <summary>Test hook: send DATA without waiting for credit, to prove the receiver enforces the window.</summary>
    internal bool IgnoreSendCredit { get; init; }

    /// <summary>Names no member: the generated record text would include the private key's.</summary>
    public override string ToString() => $"{nameof(ChannelOptions)} {{ PeerLabel = {PeerLabel} }}";
}
