using Gateway.Channel.Witnesses;

namespace Gateway.Channel.Tests;

/// <summary>RFC 9162 hashing and proofs against the reference tree of RFC 6962's test data (certificate-transparency).</summary>
public class MerkleTreeTests
{
    private static readonly List<byte[]> Leaves = TestVectors.MerkleLeaves.Select(d => MerkleTree.LeafHash(Convert.FromHexString(d))).ToList();

    private static readonly string[] Roots =
    [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    private static List<byte[]> Hashes(IEnumerable<(long Start, long End)> ranges, List<byte[]> leaves) =>
        ranges.Select(r => MerkleTree.RangeHash(leaves, r.Start, r.End)).ToList();

    private static string[] Hex(IEnumerable<byte[]> hashes) => hashes.Select(Convert.ToHexStringLower).ToArray();

    [Fact]
    public void Roots_of_every_size_match_the_reference()
    {
        for (var n = 0; n <= 8; n++)
        {
            var f = new MerkleFrontier();
            foreach (var leaf in Leaves.Take(n)) f.Append(leaf);
            Assert.Equal(Roots[n], Convert.ToHexStringLower(f.Root()));
            Assert.Equal(Roots[n], Convert.ToHexStringLower(MerkleTree.RangeHash(Leaves, 0, n)));
        }
    }

    [Theory]
    [InlineData(0, 8, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7,5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e,6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]
    [InlineData(5, 8, "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b,ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0,d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
    [InlineData(2, 3, "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]
    [InlineData(1, 5, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d,5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e,bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]
    public void Inclusion_proofs_match_the_reference(long index, long size, string expected)
    {
        var proof = Hashes(MerkleTree.InclusionRanges(index, size), Leaves);
        Assert.Equal(expected.Split(','), Hex(proof));
        Assert.True(MerkleTree.VerifyInclusion(index, size, Leaves[(int)index], proof, Convert.FromHexString(Roots[size])));
    }

    [Theory]
    [InlineData(1, 8, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7,5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e,6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]
    [InlineData(6, 8, "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a,ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0,d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
    [InlineData(2, 5, "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e,bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]
    public void Consistency_proofs_match_the_reference(long first, long second, string expected)
    {
        var proof = Hashes(MerkleTree.ConsistencyRanges(first, second), Leaves);
        Assert.Equal(expected.Split(','), Hex(proof));
        Assert.True(MerkleTree.VerifyConsistency(first, second, Convert.FromHexString(Roots[first]), Convert.FromHexString(Roots[second]), proof));
    }

    [Fact]
    public void Every_proof_of_every_shape_verifies_and_nothing_else_does()
    {
        var leaves = Enumerable.Range(0, 37).Select(i => MerkleTree.LeafHash([(byte)i, (byte)(i * 7)])).ToList();
        for (var size = 1; size <= leaves.Count; size++)
        {
            var root = MerkleTree.RangeHash(leaves, 0, size);
            for (var i = 0; i < size; i++)
            {
                var proof = Hashes(MerkleTree.InclusionRanges(i, size), leaves);
                Assert.True(MerkleTree.VerifyInclusion(i, size, leaves[i], proof, root));
                Assert.False(MerkleTree.VerifyInclusion(i, size, leaves[(i + 1) % leaves.Count], proof, root));
                if (proof.Count > 0)
                {
                    var bent = proof.Select(p => p.ToArray()).ToList();
                    bent[^1][0] ^= 1;
                    Assert.False(MerkleTree.VerifyInclusion(i, size, leaves[i], bent, root));
                }
            }
            for (var first = 1; first <= size; first++)
            {
                var proof = Hashes(MerkleTree.ConsistencyRanges(first, size), leaves);
                var firstRoot = MerkleTree.RangeHash(leaves, 0, first);
                Assert.True(MerkleTree.VerifyConsistency(first, size, firstRoot, root, proof), $"{first} -> {size}");
                if (first < size)
                {
                    var forked = leaves.Take(first - 1).Append(MerkleTree.LeafHash("fork"u8)).ToList();
                    Assert.False(MerkleTree.VerifyConsistency(first, size, MerkleTree.RangeHash(forked, 0, first), root, proof));
                }
            }
        }
    }

    [Fact]
    public void A_frontier_round_trips_and_rejects_a_wrong_shape()
    {
        var f = new MerkleFrontier();
        foreach (var leaf in Leaves.Take(7)) f.Append(leaf);
        Assert.Equal(3, f.Nodes.Count);
        var copy = new MerkleFrontier(7, f.Nodes);
        copy.Append(Leaves[7]);
        Assert.Equal(Roots[8], Convert.ToHexStringLower(copy.Root()));
        Assert.Throws<FormatException>(() => new MerkleFrontier(8, f.Nodes));
    }
}
