using Gateway.Channel.Identity;

namespace Gateway.Channel.Tests.KnownAnswers;

/// <summary>
/// Published Ed25519 (RFC 8032) vectors and the FIPS 204 ML-DSA-65 key-generation rule, run through the product's own
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
    public void ML_DSA_65_half_is_the_final_FIPS_204_parameter_set()
    {
        // The stored NIST ACVP ML-DSA keyGen files are still the draft (ipd) ones, whose rho = H(xi) omits the (k, l)
        // domain separator FIPS 204 added; so this checks that step of ML-DSA.KeyGen_internal (algorithm 6) directly:
        // the public key starts with rho = SHAKE256(xi || k || l)[0..32], k = 6, l = 5 for ML-DSA-65, and is 1952 bytes.
        Assert.True(System.Security.Cryptography.Shake256.IsSupported, "SHAKE256 is not available on this platform.");
        var xi = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        using var key = HybridSigningKey.FromSeeds(new byte[32], xi);
        var mlDsaPublic = key.PublicKey.Encoded[HybridPublicKey.Ed25519Length..];
        Assert.Equal(1952, mlDsaPublic.Length);
        var rho = System.Security.Cryptography.Shake256.HashData([.. xi, 6, 5], 32);
        Assert.Equal(Convert.ToHexString(rho), Convert.ToHexString(mlDsaPublic[..32]));

        var signature = key.Sign("known answer"u8);
        Assert.True(key.PublicKey.Verify("known answer"u8, signature));
        signature[HybridSignature.Ed25519Length + 100] ^= 0x01;
        Assert.False(key.PublicKey.Verify("known answer"u8, signature));
    }
}
