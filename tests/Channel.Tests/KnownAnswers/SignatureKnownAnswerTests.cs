using Gateway.Channel.Identity;

namespace Gateway.Channel.Tests.KnownAnswers;

/// <summary>
/// Published Ed25519 (RFC 8032) and ML-DSA-65 (FIPS 204: NIST ACVP key generation, Wycheproof deterministic signing) vectors, run through the product's own
/// <see cref="HybridSigningKey"/> and <see cref="HybridPublicKey"/>, so a wrong primitive or parameter set there fails here.
/// </summary>
public class SignatureKnownAnswerTests
{
    private static readonly byte[] AnyMlDsaSeed = Enumerable.Repeat((byte)0x5a, 32).ToArray();

    public static TheoryData<string> Rfc8032Tests() => [.. KnownAnswerFile.Load("rfc8032-ed25519.txt").SectionNames];

    [Theory]
    [MemberData(nameof(Rfc8032Tests))]
    public void Ed25519_half_matches_RFC_8032(string test)
    {
        var v = KnownAnswerFile.Load("rfc8032-ed25519.txt")[test];
        using var key = HybridSigningKey.FromSeeds(v["secret"], AnyMlDsaSeed);
        Assert.Equal(Convert.ToHexStringLower(v["public"]), Convert.ToHexStringLower(key.PublicKey.Encoded[..HybridPublicKey.Ed25519Length]));
        var signature = key.Sign(v["message"]);
        Assert.Equal(Convert.ToHexStringLower(v["signature"]), Convert.ToHexStringLower(signature.AsSpan(0, HybridSignature.Ed25519Length)));
    }

    [Theory]
    [MemberData(nameof(Rfc8032Tests))]
    public void Hybrid_verify_accepts_the_RFC_8032_signature_and_refuses_it_altered(string test)
    {
        var v = KnownAnswerFile.Load("rfc8032-ed25519.txt")[test];
        using var key = HybridSigningKey.FromSeeds(v["secret"], AnyMlDsaSeed);
        // The published public key (not one the code derived) next to the ML-DSA half of the same key.
        var publicKey = HybridPublicKey.FromEncoded([.. v["public"], .. key.PublicKey.Encoded[HybridPublicKey.Ed25519Length..]]);
        var mlDsaHalf = key.Sign(v["message"]).AsSpan(HybridSignature.Ed25519Length).ToArray();
        byte[] published = [.. v["signature"], .. mlDsaHalf];
        Assert.True(publicKey.Verify(v["message"], published));

        for (var i = 0; i < HybridSignature.Ed25519Length; i += 13)
        {
            var altered = (byte[])published.Clone();
            altered[i] ^= 0x01;
            Assert.False(publicKey.Verify(v["message"], altered), $"A signature altered at byte {i} verified.");
        }
        Assert.False(publicKey.Verify([.. v["message"], 0x00], published));
    }

    [Fact]
    public void ML_DSA_65_half_matches_NIST_ACVP_key_generation()
    {
        var v = KnownAnswerFile.Load("mldsa65-keygen.txt");
        using var key = HybridSigningKey.FromSeeds(new byte[32], v.Get("seed"));
        Assert.Equal(Convert.ToHexString(v.Get("pk")), Convert.ToHexString(key.PublicKey.Encoded[HybridPublicKey.Ed25519Length..]));
    }

    [Fact]
    public void ML_DSA_65_half_matches_the_Wycheproof_deterministic_signature()
    {
        // FIPS 204 ML-DSA.Sign with an empty context and rnd = 0: what HybridSigningKey promises ("deterministic variant").
        var v = KnownAnswerFile.Load("mldsa65-sign.txt");
        using var key = HybridSigningKey.FromSeeds(new byte[32], v.Get("seed"));
        Assert.Equal(Convert.ToHexString(v.Get("pk")), Convert.ToHexString(key.PublicKey.Encoded[HybridPublicKey.Ed25519Length..]));
        var signature = key.Sign(v.Get("msg"));
        Assert.Equal(HybridSignature.MLDsaLength, v.Get("sig").Length);
        Assert.Equal(Convert.ToHexString(v.Get("sig")), Convert.ToHexString(signature.AsSpan(HybridSignature.Ed25519Length)));
    }

    [Fact]
    public void Hybrid_verify_accepts_the_published_ML_DSA_65_signature_and_refuses_it_altered()
    {
        var v = KnownAnswerFile.Load("mldsa65-sign.txt");
        var ed = KnownAnswerFile.Load("rfc8032-ed25519.txt")["TEST 1"];
        // The published ML-DSA-65 key and signature (not ones the code derived) next to an Ed25519 half over the same message.
        using var edKey = HybridSigningKey.FromSeeds(ed["secret"], AnyMlDsaSeed);
        var publicKey = HybridPublicKey.FromEncoded([.. ed["public"], .. v.Get("pk")]);
        byte[] published = [.. edKey.Sign(v.Get("msg")).AsSpan(0, HybridSignature.Ed25519Length), .. v.Get("sig")];
        Assert.True(publicKey.Verify(v.Get("msg"), published));

        foreach (var i in new[] { 0, 31, 32, 640, 3000, HybridSignature.MLDsaLength - 1 })
        {
            var altered = (byte[])published.Clone();
            altered[HybridSignature.Ed25519Length + i] ^= 0x01;
            Assert.False(publicKey.Verify(v.Get("msg"), altered), $"An ML-DSA-65 signature altered at byte {i} verified.");
        }
        Assert.False(publicKey.Verify("Hello world!"u8, published));
    }
}
