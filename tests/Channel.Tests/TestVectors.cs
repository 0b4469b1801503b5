using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Gateway.Channel.Framing;
using Gateway.Channel.Handshake;
using Gateway.Channel.Identity;
using Gateway.Channel.Transport;
using Gateway.Channel.Witnesses;

namespace Gateway.Channel.Tests;

/// <summary>
/// The deterministic vectors of docs/ctp96.md ("vector name = hex" lines): fixed seeds and secrets in, exact bytes
/// out. The test recomputes each one and compares it with the document, so the spec and the code cannot drift.
/// </summary>
public partial class TestVectors
{
    private static byte[] Fill(byte value, int length) => Enumerable.Repeat(value, length).ToArray();
    private static string Hex(ReadOnlySpan<byte> b) => Convert.ToHexStringLower(b);

    internal static async Task<Dictionary<string, string>> ComputeAsync()
    {
        var v = new Dictionary<string, string>();
        // Identity: Ed25519 seed 32 x 0x11, ML-DSA-65 seed ξ 32 x 0x12 (TestKeys.Gateway).
        using var gateway = HybridSigningKey.FromSeeds(Fill(0x11, 32), Fill(0x12, 32));
        v["identity.ed25519_public"] = Hex(gateway.PublicKey.Encoded[..32]);
        v["identity.mldsa65_public_sha256"] = Hex(SHA256.HashData(gateway.PublicKey.Encoded[32..]));
        v["identity.fingerprint"] = gateway.PublicKey.Fingerprint.ToString();
        var signature = gateway.Sign("CTP-96 test vector"u8);
        v["identity.signature_ed25519"] = Hex(signature.AsSpan(0, 64));
        v["identity.signature_mldsa65_sha256"] = Hex(SHA256.HashData(signature.AsSpan(64)));

        // Key schedule: ML-KEM secret 32 x 0x01, X25519 secret 32 x 0x02, transcript hash 32 x 0x03.
        var (c2s, s2c) = KeySchedule.TrafficSecrets(Fill(0x01, 32), Fill(0x02, 32), Fill(0x03, 32));
        v["keys.c2s_secret"] = Hex(c2s);
        v["keys.s2c_secret"] = Hex(s2c);
        v["keys.c2s_key"] = Hex(KeySchedule.FrameKey(c2s));
        v["keys.c2s_iv"] = Hex(KeySchedule.FrameIv(c2s));
        v["keys.c2s_next_secret"] = Hex(KeySchedule.NextSecret(c2s));

        // Frames under c2s: DATA "hello" on stream 1 with END_STREAM at sequence 0, then WINDOW_UPDATE(32) at sequence 1.
        using (var cipher = new FrameCipher(c2s))
        {
            v["frame.data_hello_seq0"] = Hex(Seal(cipher, FrameType.Data, FrameFlags.EndStream, 1, "hello"u8));
            v["frame.window_update_32_seq1"] = Hex(Seal(cipher, FrameType.WindowUpdate, 0, 1, [0, 0, 0, 32]));
        }

        // Whole handshake: client key TestKeys.Gateway, host key TestKeys.Host (seeds 0x22/0x23), FixedEntropy("client") / ("host"),
        // both clocks at Unix time 1790000000000 ms (the ClientHello's time).
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000));
        var (c, h) = DuplexPipe.CreatePair();
        var recorded = new MemoryStream();
        var hostTask = ChannelHandshake.ServerAsync(h, TestKeys.Host, PeerPins.Of(gateway.PublicKey), new FixedEntropy("host"), default, new ClientHelloGuard(clock));
        var client = await ChannelHandshake.ClientAsync(new TeeStream(c, recorded), gateway, PeerPins.Of(TestKeys.Host.PublicKey), new FixedEntropy("client"), default, clock);
        var host = await hostTask;
        var hello = recorded.ToArray()[..(HandshakeMessages.HeaderLength + HandshakeMessages.ClientHelloLength)];
        v["handshake.client_hello_proof"] = Hex(hello.AsSpan(hello.Length - HandshakeMessages.ProofLength));
        v["handshake.client_hello_sha256"] = Hex(SHA256.HashData(hello));
        v["handshake.transcript_hash"] = Hex(client.TranscriptHash);
        v["handshake.c2s_secret"] = Hex(client.SendSecret);
        v["handshake.s2c_secret"] = Hex(host.SendSecret);

        // Witness: fixed fields. It is a leaf of the host's tree, not signed on its own.
        var witness = new Witness
        {
            RequestId = "req-1", Operation = "object-storage.get-object", Target = "local/bucket-one/a.txt", Status = "ok",
            RequestBodySha256 = SHA256.HashData(Array.Empty<byte>()), ResponseBodySha256 = SHA256.HashData("hello"u8),
            HeadersSha256 = Fill(0x04, 32),
            StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000), CompletedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_250),
            TranscriptHash = Fill(0x03, 32),
        };
        v["witness.body"] = Hex(witness.Encode());
        v["witness.leaf_hash"] = Hex(witness.LeafHash());
        v["witness.frame_leaf7"] = Hex(Witness.EncodeFrame(7, witness.Encode()));

        // RFC 9162 tree over the eight leaves of RFC 6962's reference tests ("", 00, 10, 2021, 3031, 40..43, 50..57, 60..6f).
        var leaves = MerkleLeaves.Select(d => MerkleTree.LeafHash(Convert.FromHexString(d))).ToList();
        v["merkle.root_size7"] = Hex(MerkleTree.RangeHash(leaves, 0, 7));
        v["merkle.root_size8"] = Hex(MerkleTree.RangeHash(leaves, 0, 8));
        v["merkle.inclusion_leaf5_size8"] = Hex(MerkleTree.InclusionRanges(5, 8).SelectMany(r => MerkleTree.RangeHash(leaves, r.Start, r.End)).ToArray());
        v["merkle.consistency_3_7"] = Hex(MerkleTree.ConsistencyRanges(3, 7).SelectMany(r => MerkleTree.RangeHash(leaves, r.Start, r.End)).ToArray());

        // Signed tree head: a tree of one leaf (the witness above), 50 ms after it completed, first head of the log.
        var head = new SignedTreeHead
        {
            TreeSize = 1, RootHash = witness.LeafHash(), Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_300),
            HostKeyFingerprint = new byte[32], PreviousHeadHash = new byte[32],
        }.SignWith(TestKeys.Host);
        v["head.body"] = Hex(head.EncodeBody());
        v["head.hash"] = Hex(head.Hash());
        v["head.signature_ed25519"] = Hex(head.Signature.AsSpan(0, 64));
        v["head.signature_mldsa65_sha256"] = Hex(SHA256.HashData(head.Signature.AsSpan(64)));
        v["head.batch_sha256"] = Hex(SHA256.HashData(new HeadBatch(head, 0, [witness.LeafHash()]).Encode()));
        return v;
    }

    /// <summary>The leaf data of RFC 6962's reference Merkle tests (certificate-transparency), hex.</summary>
    internal static readonly string[] MerkleLeaves = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    /// <summary>Passes through, copying what is written to <paramref name="copy"/>.</summary>
    private sealed class TeeStream(Stream inner, Stream copy) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            copy.Write(buffer.Span);
            await inner.WriteAsync(buffer, ct);
        }
        public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private static byte[] Seal(FrameCipher cipher, FrameType type, byte flags, uint stream, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[FrameHeader.Size + payload.Length + FrameHeader.TagSize];
        new FrameHeader(payload.Length, type, flags, stream, cipher.Sequence).Write(frame);
        cipher.Seal(frame.AsSpan(0, FrameHeader.Size), payload, frame.AsSpan(FrameHeader.Size, payload.Length), frame.AsSpan(FrameHeader.Size + payload.Length));
        return frame;
    }

    [GeneratedRegex(@"^vector ([a-z0-9_.]+) = ([0-9a-z:]+)$", RegexOptions.Multiline)]
    private static partial Regex VectorLine();

    [Fact]
    public async Task The_documented_vectors_match_the_code()
    {
        var computed = await ComputeAsync();
        var doc = Path.Combine(AppContext.BaseDirectory, "ctp96.md");
        Assert.True(File.Exists(doc), "docs/ctp96.md was not copied next to the tests.");
        var documented = VectorLine().Matches(File.ReadAllText(doc).Replace("\r", "")).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        if (Environment.GetEnvironmentVariable("CTP96_PRINT_VECTORS") == "1")
            File.WriteAllLines(Path.Combine(Path.GetTempPath(), "ctp96-vectors.txt"), computed.Select(kv => $"vector {kv.Key} = {kv.Value}"));
        Assert.Equal(computed.Keys.Order(), documented.Keys.Order());
        foreach (var (name, value) in computed) Assert.True(documented[name] == value, $"{name}: documented {documented[name]}, computed {value}");
    }

    [Fact]
    public async Task Vectors_are_deterministic()
    {
        Assert.Equal(await ComputeAsync(), await ComputeAsync());
    }
}
