using System.Buffers.Binary;

namespace Gateway.Channel.Witnesses;

/// <summary>
/// The payload of a HEAD frame (host → client, stream 0): a signed tree head and the leaf hashes it added since the
/// previous head. Encoding: signed head (3486) | first leaf index (8) | leaf count (2) | leaf hashes (32 each).
/// The receiver appends the leaves to its copy of the tree's right edge and checks the root itself, which proves
/// every new leaf's inclusion and the new head's consistency with the previous one in one step.
/// </summary>
public sealed record HeadBatch(SignedTreeHead Head, long FirstIndex, IReadOnlyList<byte[]> Leaves)
{
    /// <summary>Keeps a HEAD frame within one 64 KiB frame.</summary>
    public const int MaxLeaves = 1024;

    public byte[] Encode()
    {
        if (Leaves.Count > MaxLeaves) throw new InvalidOperationException($"A head batch carries at most {MaxLeaves} leaves.");
        var head = Head.Encode();
        var data = new byte[head.Length + 10 + 32 * Leaves.Count];
        head.CopyTo(data, 0);
        BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(head.Length), FirstIndex);
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(head.Length + 8), (ushort)Leaves.Count);
        for (var i = 0; i < Leaves.Count; i++) Leaves[i].CopyTo(data, head.Length + 10 + 32 * i);
        return data;
    }

    /// <summary>Throws <see cref="FormatException"/> on anything malformed.</summary>
    public static HeadBatch Decode(ReadOnlySpan<byte> data)
    {
        const int at = SignedTreeHead.EncodedLength;
        if (data.Length < at + 10) throw new FormatException("The head batch is truncated.");
        var head = SignedTreeHead.Decode(data[..at]);
        var first = BinaryPrimitives.ReadInt64BigEndian(data[at..]);
        var count = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 8)..]);
        if (first < 0 || count > MaxLeaves || data.Length != at + 10 + 32 * count) throw new FormatException("The head batch has the wrong length.");
        var leaves = new byte[count][];
        for (var i = 0; i < count; i++) leaves[i] = data.Slice(at + 10 + 32 * i, 32).ToArray();
        return new HeadBatch(head, first, leaves);
    }
}
