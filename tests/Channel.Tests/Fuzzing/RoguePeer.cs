using Gateway.Channel.Framing;
using Gateway.Channel.Handshake;
using Gateway.Channel.Transport;

namespace Gateway.Channel.Tests.Fuzzing;

/// <summary>
/// A peer that completed a real handshake and holds the real traffic keys, but writes whatever frames it likes:
/// each one sealed correctly (right key, right sequence), so the receiver's decoders see the mutation.
/// A KEY_UPDATE it sends on stream 0 ratchets its own key too, as the protocol says.
/// </summary>
internal sealed class RoguePeer : IAsyncDisposable
{
    private readonly Stream _transport;
    private readonly FrameCipher _send;
    private readonly FrameReader _reader;

    private RoguePeer(Stream transport, HandshakeResult session)
    {
        _transport = transport;
        Session = session;
        _send = new FrameCipher(session.SendSecret);
        _reader = new FrameReader(transport, new FrameCipher(session.ReceiveSecret));
    }

    public HandshakeResult Session { get; }

    /// <summary>Plays the gateway against a real bridge host.</summary>
    public static async Task<RoguePeer> AsClientAsync(Stream transport, CancellationToken ct) =>
        new(transport, await ChannelHandshake.ClientAsync(transport, TestKeys.Gateway, PeerPins.Of(TestKeys.Host.PublicKey), null, ct));

    /// <summary>Plays the bridge host against a real gateway.</summary>
    public static async Task<RoguePeer> AsHostAsync(Stream transport, CancellationToken ct) =>
        new(transport, await ChannelHandshake.ServerAsync(transport, TestKeys.Host, PeerPins.Of(TestKeys.Gateway.PublicKey), null, ct));

    public async Task SendAsync(PlainFrame frame, CancellationToken ct)
    {
        var length = Math.Min(frame.Payload.Length, FrameHeader.MaxPayload);
        var bytes = new byte[FrameHeader.Size + length + FrameHeader.TagSize];
        new FrameHeader(length, frame.Type, frame.Flags, frame.StreamId, _send.Sequence).Write(bytes);
        _send.Seal(bytes.AsSpan(0, FrameHeader.Size), frame.Payload.AsSpan(0, length), bytes.AsSpan(FrameHeader.Size, length), bytes.AsSpan(FrameHeader.Size + length));
        if (frame.Type == FrameType.KeyUpdate && frame.StreamId == 0) _send.Ratchet();
        await _transport.WriteAsync(bytes, ct);
        await _transport.FlushAsync(ct);
    }

    /// <summary>Sends frames until the peer stops reading (it may close the connection half-way: that is an outcome).</summary>
    public async Task<bool> TrySendAllAsync(IEnumerable<PlainFrame> frames, CancellationToken ct)
    {
        try
        {
            foreach (var frame in frames) await SendAsync(frame, ct);
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException) { return false; }
    }

    /// <summary>The next decrypted frame as plaintext, or null when the peer closed. Follows the peer's KEY_UPDATEs.</summary>
    public async Task<PlainFrame?> ReadAsync(CancellationToken ct)
    {
        InboundFrame? next;
        try { next = await _reader.ReadAsync(ct); }
        catch (Exception e) when (e is ChannelProtocolException or IOException or ObjectDisposedException or InvalidOperationException
            || e is OperationCanceledException && !ct.IsCancellationRequested) { return null; } // our own end was closed
        if (next is not { } frame) return null;
        var plain = new PlainFrame(frame.Type, frame.Flags, frame.StreamId, frame.Payload.ToArray());
        frame.Return();
        if (plain.Type == FrameType.KeyUpdate && plain.StreamId == 0) _reader.Cipher.Ratchet();
        return plain;
    }

    public async ValueTask DisposeAsync() => await _transport.DisposeAsync();
}
