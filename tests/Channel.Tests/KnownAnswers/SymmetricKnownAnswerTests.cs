using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Gateway.Channel.Framing;
using Gateway.Channel.Handshake;

namespace Gateway.Channel.Tests.KnownAnswers;

/// <summary>
/// HKDF-SHA256 (RFC 5869) and AES-256-GCM (the GCM specification's vectors) checked twice: the primitive the product
/// calls against the published values, then the product's <see cref="KeySchedule"/> and <see cref="FrameCipher"/>
/// against that checked primitive, composed the way docs/ctp96.md says, so a wrong hash, key size, label, nonce or
/// associated data in the product fails here.
/// </summary>
public class SymmetricKnownAnswerTests
{
    public static TheoryData<string> Rfc5869Tests() => [.. KnownAnswerFile.Load("rfc5869-hkdf-sha256.txt").SectionNames];
    public static TheoryData<string> GcmTests() => [.. KnownAnswerFile.Load("gcm-aes256.txt").SectionNames];

    /// <summary>RFC 5869 written out with HMAC-SHA256 only, as an independent reference for the key schedule.</summary>
    private static byte[] ReferenceExtract(byte[] salt, byte[] ikm) => HMACSHA256.HashData(salt.Length == 0 ? new byte[32] : salt, ikm);

    private static byte[] ReferenceExpand(byte[] prk, byte[] info, int length)
    {
        var okm = new List<byte>();
        var t = Array.Empty<byte>();
        for (byte i = 1; okm.Count < length; i++)
        {
            byte[] block = [.. t, .. info, i];
            t = HMACSHA256.HashData(prk, block);
            okm.AddRange(t);
        }
        return [.. okm.Take(length)];
    }

    [Theory]
    [MemberData(nameof(Rfc5869Tests))]
    public void HKDF_and_the_reference_match_RFC_5869(string test)
    {
        var v = KnownAnswerFile.Load("rfc5869-hkdf-sha256.txt")[test];
        var okm = v["okm"];
        Assert.Equal(v["prk"], HKDF.Extract(HashAlgorithmName.SHA256, v["ikm"], v["salt"]));
        var expanded = new byte[okm.Length];
        HKDF.Expand(HashAlgorithmName.SHA256, v["prk"], expanded, v["info"]);
        Assert.Equal(okm, expanded);

        Assert.Equal(v["prk"], ReferenceExtract(v["salt"], v["ikm"]));
        Assert.Equal(okm, ReferenceExpand(v["prk"], v["info"], okm.Length));
    }

    [Fact]
    public void Key_schedule_is_HKDF_SHA256_with_the_documented_salt_and_labels()
    {
        var mlKem = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var x25519 = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
        var transcript = SHA256.HashData("transcript"u8);
        var (c2s, s2c) = KeySchedule.TrafficSecrets(mlKem, x25519, transcript);

        var prk = ReferenceExtract("CTP-96 v1"u8.ToArray(), [.. mlKem, .. x25519]);
        Assert.Equal(ReferenceExpand(prk, [.. "ctp96 c2s"u8, .. transcript], 32), c2s);
        Assert.Equal(ReferenceExpand(prk, [.. "ctp96 s2c"u8, .. transcript], 32), s2c);
        Assert.Equal(ReferenceExpand(c2s, "ctp96 key"u8.ToArray(), 32), KeySchedule.FrameKey(c2s));
        Assert.Equal(ReferenceExpand(c2s, "ctp96 iv"u8.ToArray(), 12), KeySchedule.FrameIv(c2s));
        Assert.Equal(ReferenceExpand(c2s, "ctp96 next"u8.ToArray(), 32), KeySchedule.NextSecret(c2s));
    }

    [Theory]
    [MemberData(nameof(GcmTests))]
    public void AES_GCM_matches_the_GCM_specification_vectors(string test)
    {
        var v = KnownAnswerFile.Load("gcm-aes256.txt")[test];
        using var aes = new AesGcm(v["key"], FrameHeader.TagSize);
        var ciphertext = new byte[v["plaintext"].Length];
        var tag = new byte[FrameHeader.TagSize];
        aes.Encrypt(v["iv"], v["plaintext"], ciphertext, tag, v["aad"]);
        Assert.Equal(Convert.ToHexStringLower(v["ciphertext"]), Convert.ToHexStringLower(ciphertext));
        Assert.Equal(Convert.ToHexStringLower(v["tag"]), Convert.ToHexStringLower(tag));

        var opened = new byte[ciphertext.Length];
        aes.Decrypt(v["iv"], v["ciphertext"], v["tag"], opened, v["aad"]);
        Assert.Equal(v["plaintext"], opened);
        tag[0] ^= 1;
        Assert.Throws<AuthenticationTagMismatchException>(() => aes.Decrypt(v["iv"], v["ciphertext"], tag, opened, v["aad"]));
    }

    [Fact]
    public void Frame_cipher_is_AES_256_GCM_with_the_header_as_associated_data_and_a_sequence_nonce()
    {
        var secret = SHA256.HashData("frame cipher secret"u8);
        using var cipher = new FrameCipher((byte[])secret.Clone());
        var expectedSecret = secret;
        var payload = Encoding.ASCII.GetBytes("published primitives, product composition");
        for (var frame = 0; frame < 5; frame++)
        {
            if (frame == 3)
            {
                cipher.Ratchet();
                expectedSecret = KeySchedule.NextSecret(expectedSecret);
            }
            var sequence = cipher.Sequence;
            var header = new byte[FrameHeader.Size];
            new FrameHeader(payload.Length, FrameType.Data, 0, 1, sequence).Write(header);
            var ciphertext = new byte[payload.Length];
            var tag = new byte[FrameHeader.TagSize];
            cipher.Seal(header, payload, ciphertext, tag);

            var key = KeySchedule.FrameKey(expectedSecret);
            Assert.Equal(32, key.Length);
            var nonce = KeySchedule.FrameIv(expectedSecret);
            var counter = BinaryPrimitives.ReadUInt64BigEndian(nonce.AsSpan(4)) ^ sequence;
            BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), counter);
            using var reference = new AesGcm(key, FrameHeader.TagSize);
            var expected = new byte[payload.Length];
            var expectedTag = new byte[FrameHeader.TagSize];
            reference.Encrypt(nonce, payload, expected, expectedTag, header);
            Assert.True(expected.AsSpan().SequenceEqual(ciphertext), $"frame {frame}: ciphertext differs from AES-256-GCM(key, iv XOR {sequence}).");
            Assert.True(expectedTag.AsSpan().SequenceEqual(tag), $"frame {frame}: tag differs.");
        }
    }
}
