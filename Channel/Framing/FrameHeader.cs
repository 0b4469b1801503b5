using System.Buffers.Binary;

namespace Gateway.Channel.Framing;

/// <summary>
/// 17-byte frame header, sent in clear and authenticated as AES-GCM associated data:
/// payload length (3, big-endian, plaintext bytes) | type (1) | flags (1) | stream id (4) | sequence (8).
/// The ciphertext that follows is payload length + 16 (GCM tag) bytes.
/// </summary>
public readonly record struct FrameHeader(int Length, FrameType Type, byte Flags, uint StreamId, ulong Sequence)
{
    public const int Size = 17;
    public const int TagSize = 16;
    /// <summary>Largest plaintext payload: 64 KiB.</summary>
    public const int MaxPayload = 64 * 1024;

    public void Write(Span<byte> destination)
    {
        destination[0] = (byte)(Length >> 16);
        destination[1] = (byte)(Length >> 8);
        destination[2] = (byte)Length;
        destination[3] = (byte)Type;
        destination[4] = Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], StreamId);
        BinaryPrimitives.WriteUInt64BigEndian(destination[9..], Sequence);
    }

    public static FrameHeader Read(ReadOnlySpan<byte> source) => new(
        (source[0] << 16) | (source[1] << 8) | source[2],
        (FrameType)source[3],
        source[4],
        BinaryPrimitives.ReadUInt32BigEndian(source[5..]),
        BinaryPrimitives.ReadUInt64BigEndian(source[9..]));

    public static bool IsKnownType(FrameType type) => type <= FrameType.Head;
}
