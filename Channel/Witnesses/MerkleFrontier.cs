using System.Security.Cryptography;

namespace Gateway.Channel.Witnesses;

/// <summary>
/// The right edge of an RFC 9162 tree: one hash per set bit of the size (the perfect subtrees the leaves so far
/// fall into, largest first). Enough to append leaves and compute the root in O(log n) memory, and what a new
/// session hands the bridge host so the log continues where it stopped.
/// </summary>
public sealed class MerkleFrontier
{
    private readonly List<byte[]> _nodes = [];

    public MerkleFrontier() { }

    /// <summary>Restores a frontier; throws <see cref="FormatException"/> when the hashes cannot be the edge of a tree of that size.</summary>
    public MerkleFrontier(long size, IEnumerable<byte[]> nodes)
    {
        if (size < 0) throw new FormatException("A tree size is never negative.");
        _nodes.AddRange(nodes.Select(n => n.Length == MerkleTree.HashLength ? n.ToArray() : throw new FormatException("A tree hash is 32 bytes.")));
        if (_nodes.Count != System.Numerics.BitOperations.PopCount((ulong)size)) throw new FormatException("The frontier does not match the tree size.");
        Size = size;
    }

    public long Size { get; private set; }
    /// <summary>The subtree hashes, largest (leftmost) first.</summary>
    public IReadOnlyList<byte[]> Nodes => _nodes;

    public void Append(byte[] leafHash)
    {
        var hash = leafHash;
        // Each trailing 1 bit of the old size is a full subtree of the same height as the carry: merge it.
        for (var s = Size; (s & 1) == 1; s >>= 1)
        {
            hash = MerkleTree.NodeHash(_nodes[^1], hash);
            _nodes.RemoveAt(_nodes.Count - 1);
        }
        _nodes.Add(hash);
        Size++;
    }

    /// <summary>MTH of the leaves so far.</summary>
    public byte[] Root()
    {
        if (_nodes.Count == 0) return SHA256.HashData(ReadOnlySpan<byte>.Empty);
        var root = _nodes[^1];
        for (var i = _nodes.Count - 2; i >= 0; i--) root = MerkleTree.NodeHash(_nodes[i], root);
        return root;
    }

    public MerkleFrontier Clone() => new(Size, _nodes);
}
