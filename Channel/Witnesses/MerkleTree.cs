using System.Numerics;
using System.Security.Cryptography;

namespace Gateway.Channel.Witnesses;

/// <summary>
/// RFC 9162 (Certificate Transparency v2) Merkle tree hashing, inclusion and consistency proofs. Proofs are built as
/// lists of leaf ranges [start, end) whose subtree hashes a caller supplies, so a proof over a log on disk needs only
/// the leaf hashes streamed in order (see <see cref="MerkleFrontier"/>), never the whole tree in memory.
/// </summary>
public static class MerkleTree
{
    public const int HashLength = 32;

    /// <summary>MTH of one entry: SHA-256(0x00 || data).</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> data)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData([0x00]);
        h.AppendData(data);
        return h.GetHashAndReset();
    }

    /// <summary>An interior node: SHA-256(0x01 || left || right).</summary>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[1 + 2 * HashLength];
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + HashLength)..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>MTH of the empty tree: SHA-256 of nothing.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>MTH over leaf hashes [start, end).</summary>
    public static byte[] RangeHash(IReadOnlyList<byte[]> leafHashes, long start, long end)
    {
        var f = new MerkleFrontier();
        for (var i = start; i < end; i++) f.Append(leafHashes[(int)i]);
        return f.Root();
    }

    /// <summary>The largest power of two strictly below <paramref name="n"/> (n ≥ 2).</summary>
    internal static long Split(long n) => 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));

    /// <summary>PATH(index, D[0:size]) as leaf ranges, leaf to root order.</summary>
    public static List<(long Start, long End)> InclusionRanges(long index, long size)
    {
        if (index < 0 || index >= size) throw new ArgumentOutOfRangeException(nameof(index), "The leaf is not in the tree.");
        var ranges = new List<(long, long)>();
        Path(index, 0, size, ranges);
        return ranges;
    }

    private static void Path(long m, long start, long end, List<(long, long)> into)
    {
        var n = end - start;
        if (n == 1) return;
        var k = Split(n);
        if (m < k)
        {
            Path(m, start, start + k, into);
            into.Add((start + k, end));
        }
        else
        {
            Path(m - k, start + k, end, into);
            into.Add((start, start + k));
        }
    }

    /// <summary>PROOF(first, D[0:second]) as leaf ranges (0 &lt; first ≤ second).</summary>
    public static List<(long Start, long End)> ConsistencyRanges(long first, long second)
    {
        if (first <= 0 || first > second) throw new ArgumentOutOfRangeException(nameof(first), "A consistency proof needs 0 < first ≤ second.");
        var ranges = new List<(long, long)>();
        if (first < second) SubProof(first, 0, second, true, ranges);
        return ranges;
    }

    private static void SubProof(long m, long start, long end, bool complete, List<(long, long)> into)
    {
        var n = end - start;
        if (m == n)
        {
            if (!complete) into.Add((start, end));
            return;
        }
        var k = Split(n);
        if (m <= k)
        {
            SubProof(m, start, start + k, complete, into);
            into.Add((start + k, end));
        }
        else
        {
            SubProof(m - k, start + k, end, false, into);
            into.Add((start, start + k));
        }
    }

    /// <summary>RFC 9162 section 2.1.3.2: does <paramref name="path"/> prove leaf <paramref name="index"/> in a tree of <paramref name="size"/> with <paramref name="root"/>?</summary>
    public static bool VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root)
    {
        if (index < 0 || index >= size || leafHash.Length != HashLength) return false;
        var fn = index;
        var sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in path)
        {
            if (p.Length != HashLength || sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                if ((fn & 1) == 0)
                    while ((fn & 1) == 0 && fn != 0) { fn >>= 1; sn >>= 1; }
            }
            else r = NodeHash(r, p);
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && CryptographicOperations.FixedTimeEquals(r, root);
    }

    /// <summary>RFC 9162 section 2.1.4.2: is the tree (<paramref name="second"/>, <paramref name="secondRoot"/>) an append-only extension of (<paramref name="first"/>, <paramref name="firstRoot"/>)?</summary>
    public static bool VerifyConsistency(long first, long second, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot, IReadOnlyList<byte[]> proof)
    {
        if (first <= 0 || first > second) return false;
        if (first == second) return proof.Count == 0 && CryptographicOperations.FixedTimeEquals(firstRoot, secondRoot);
        if (proof.Any(p => p.Length != HashLength)) return false;
        var c = new List<byte[]>(proof);
        if ((first & (first - 1)) == 0) c.Insert(0, firstRoot.ToArray());
        if (c.Count == 0) return false;
        var fn = first - 1;
        var sn = second - 1;
        while ((fn & 1) == 1) { fn >>= 1; sn >>= 1; }
        var fr = c[0];
        var sr = c[0];
        for (var i = 1; i < c.Count; i++)
        {
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = NodeHash(c[i], fr);
                sr = NodeHash(c[i], sr);
                if ((fn & 1) == 0)
                    while ((fn & 1) == 0 && fn != 0) { fn >>= 1; sn >>= 1; }
            }
            else sr = NodeHash(sr, c[i]);
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && CryptographicOperations.FixedTimeEquals(fr, firstRoot) && CryptographicOperations.FixedTimeEquals(sr, secondRoot);
    }
}
