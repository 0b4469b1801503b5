using System.Runtime.CompilerServices;
using System.Buffers;

namespace Gateway.Channel.Framing;

/// <summary>
/// Reads and decrypts frames from a byte stream. Checks, in this order: declared length (≤ 64 KiB), known type,
/// sequence (exactly the next one: lower is a replay, higher is a reorder or a drop), then the GCM tag.
/// Any failure throws <see cref="ChannelProtocolException"/>; the caller closes the connection.
/// Memory: one fixed read buffer plus one pooled payload buffer per frame, whatever the input.
/// </summary>
internal sealed class FrameReader(Stream transport, FrameCipher cipher)
{
    /// <summary>The most frames accepted under one receive key (<see cref="FrameCipher.MaxFramesPerKey"/>).</summary>
    public ulong KeyLimit { get; init; } = FrameCipher.MaxFramesPerKey;

    private const int FrameMax = FrameHeader.Size + FrameHeader.MaxPayload + FrameHeader.TagSize;
    private readonly byte[] _buffer = new byte[FrameMax + 16 * 1024];
    private int _start;
    private int _end;

    public FrameCipher Cipher => cipher;

    /// <summary>The next frame, or null when the peer closed the transport cleanly between frames.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<InboundFrame?> ReadAsync(CancellationToken ct)
    {
        if (!await EnsureAsync(FrameHeader.Size, ct))
        {
            if (_end == _start) return null;
            throw new ChannelProtocolException(ChannelCloseReason.PeerClosed, "The connection closed in the middle of a frame header.");
        }
        var header = FrameHeader.Read(_buffer.AsSpan(_start, FrameHeader.Size));
        Validate(header, cipher.Sequence);
        // The sender must send KEY_UPDATE before a key protects more frames than the bound allows; a peer that does not
        // is refused rather than trusted to stay within the AES-GCM margin.
        if (cipher.Sequence >= KeyLimit)
            throw new ChannelProtocolException(ChannelCloseReason.ProtocolViolation, $"The peer sent more than {KeyLimit} frames under one key without KEY_UPDATE.");
        var total = FrameHeader.Size + header.Length + FrameHeader.TagSize;
        if (!await EnsureAsync(total, ct))
            throw new ChannelProtocolException(ChannelCloseReason.PeerClosed, "The connection closed in the middle of a frame.");
        return Decrypt(header, total);
    }

    internal static void Validate(in FrameHeader header, ulong expectedSequence)
    {
        if (header.Length > FrameHeader.MaxPayload)
            throw new ChannelProtocolException(ChannelCloseReason.Oversized, $"Frame declares {header.Length} bytes; at most {FrameHeader.MaxPayload} are allowed.");
        if (!FrameHeader.IsKnownType(header.Type))
            throw new ChannelProtocolException(ChannelCloseReason.ProtocolViolation, $"Unknown frame type {(byte)header.Type}.");
        if (header.Sequence < expectedSequence)
            throw new ChannelProtocolException(ChannelCloseReason.Replayed, $"Frame sequence {header.Sequence} was already received (expected {expectedSequence}).");
        if (header.Sequence > expectedSequence)
            throw new ChannelProtocolException(ChannelCloseReason.Reordered, $"Frame sequence {header.Sequence} arrived before {expectedSequence}.");
    }

    private InboundFrame Decrypt(FrameHeader header, int total)
    {
        var frame = _buffer.AsSpan(_start, total);
        byte[]? payload = header.Length == 0 ? null : FrameBuffers.Pool.Rent(header.Length);
        var ok = cipher.Open(frame[..FrameHeader.Size], frame.Slice(FrameHeader.Size, header.Length), frame[(FrameHeader.Size + header.Length)..],
            payload is null ? default : payload.AsSpan(0, header.Length));
        _start += total;
        if (!ok)
        {
            if (payload is not null) FrameBuffers.Pool.Return(payload);
            throw new ChannelProtocolException(ChannelCloseReason.AuthenticationFailed, "A frame failed authentication (tampered or forged).");
        }
        return new InboundFrame(header.Type, header.Flags, header.StreamId, payload, header.Length);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> EnsureAsync(int count, CancellationToken ct)
    {
        if (_end - _start >= count) return true;
        if (_buffer.Length - _start < count)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        while (_end - _start < count)
        {
            var n = await transport.ReadAsync(_buffer.AsMemory(_end), ct);
            if (n == 0) return false;
            _end += n;
        }
        return true;
    }
}
