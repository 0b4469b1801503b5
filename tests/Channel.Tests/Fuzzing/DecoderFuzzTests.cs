using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Channel.Handshake;
using Gateway.Channel.Identity;
using Gateway.Channel.Rpc;
using Gateway.Channel.Witnesses;
using Xunit.Abstractions;

namespace Gateway.Channel.Tests.Fuzzing;

/// <summary>
/// Every decoder behind the channel's tag and signature, fed mutated copies of valid input on several threads at
/// once: each must return or throw its own documented exception (FormatException, JsonException,
/// HandshakeException), never anything else; witness frames, signed tree heads and HEAD frames (head batches)
/// that decode must encode back to exactly their input, and allocation stays bounded.
/// </summary>
[Collection(FuzzCollection.Name)]
public class DecoderFuzzTests(ITestOutputHelper output)
{
    private static readonly Witness SampleWitness = new()
    {
        RequestId = "req-1", Operation = "object-storage.get-object", Target = "local/bucket/a.txt", Status = "ok",
        RequestBodySha256 = SHA256.HashData(Array.Empty<byte>()), ResponseBodySha256 = SHA256.HashData("hello"u8), HeadersSha256 = new byte[32],
        StartedAt = Witness.TruncateToMicros(DateTimeOffset.UtcNow), CompletedAt = Witness.TruncateToMicros(DateTimeOffset.UtcNow),
        TranscriptHash = new byte[32],
    };
    private static readonly byte[] WitnessFrame = Witness.EncodeFrame(0, SampleWitness.Encode());
    private static readonly WitnessExpectation Expected = new(SampleWitness.RequestId, SampleWitness.Operation, SampleWitness.Target, "ok",
        SampleWitness.RequestBodySha256, SampleWitness.ResponseBodySha256, SampleWitness.HeadersSha256, SampleWitness.TranscriptHash);

    /// <summary>The first head of a log holding the sample witness and one more leaf, as a bridge host signs it.</summary>
    private static readonly HeadBatch SampleBatch = CreateBatch();
    private static readonly byte[] HeadBytes = SampleBatch.Head.Encode();
    private static readonly byte[] BatchBytes = SampleBatch.Encode();

    private static HeadBatch CreateBatch()
    {
        byte[][] leaves = [SampleWitness.LeafHash(), MerkleTree.LeafHash("other"u8)];
        var frontier = new MerkleFrontier();
        foreach (var leaf in leaves) frontier.Append(leaf);
        var head = new SignedTreeHead
        {
            TreeSize = frontier.Size, RootHash = frontier.Root(), Timestamp = Witness.TruncateToMicros(DateTimeOffset.UtcNow),
            HostKeyFingerprint = new byte[32], PreviousHeadHash = new byte[32],
        }.SignWith(TestKeys.Host);
        return new HeadBatch(head, 0, leaves);
    }

    private static readonly byte[] RequestJson = Encoding.UTF8.GetBytes(
        """{"id":"r1","family":"object-storage","instance":"local","operation":"put-object","target":"b/k","args":{"bucket":"b","key":"k","options":{"contentType":"text/plain","metadata":{"a":"1"}}},"hasBody":true}""");
    private static readonly byte[] ResponseJson = Encoding.UTF8.GetBytes(
        """{"ok":false,"hasBody":false,"error":{"code":"precondition-failed","message":"ETag differs.","retryAfterSeconds":5,"extensions":{"etag":"\"x\"","n":1.5,"big":12345678901,"flag":true,"none":null,"list":[1,{"a":2}]}}}""");
    private static readonly byte[] OkResponseJson = Encoding.UTF8.GetBytes(
        """{"ok":true,"hasBody":true,"result":{"info":{"key":"a","size":5,"etag":"\"e\""},"offset":0,"length":5,"isPartial":false}}""");

    private static readonly byte[] ClientHelloBytes = ClientHello.Create(new byte[32], new byte[32],
        Org.BouncyCastle.Crypto.Parameters.MLKemPrivateKeyParameters.FromSeed(Org.BouncyCastle.Crypto.Parameters.MLKemParameters.ml_kem_768, new byte[64]).GetPublicKeyEncoded(),
        TestKeys.Gateway, DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000));
    private static readonly byte[] ServerHelloBytes = ServerHello.EncodeUnsigned(new byte[32], new byte[32], new byte[HandshakeMessages.MLKemCiphertextLength], TestKeys.Host.PublicKey);
    private static readonly string PublicKeyText = TestKeys.Host.PublicKey.ToText();

    private static byte[] Resigned(byte[] body) => [.. body, .. TestKeys.Host.Sign(SignedTreeHead.SignedMessage(body))];

    /// <summary>A decoded head must verify or not (never throw), and encode back to exactly the bytes it came from.</summary>
    private static string CheckHead(SignedTreeHead head, ReadOnlySpan<byte> input)
    {
        Assert.True(head.Encode().AsSpan().SequenceEqual(input), "A decoded tree head does not encode back to its input.");
        _ = head.Hash();
        return head.VerifySignature(TestKeys.Host.PublicKey) ? "verified" : "bad-signature";
    }

    /// <summary>Half the time the head's body is mutated and then signed properly, so the checks behind the signature run.</summary>
    private static byte[] MutatedHead(Random rng) =>
        rng.Next(2) == 0 ? PlaintextMutator.MutateBytes(rng, HeadBytes) : Resigned(MutatedHeadBody(rng));

    private static byte[] MutatedHeadBody(Random rng)
    {
        var body = SampleBatch.Head.EncodeBody();
        if (rng.Next(2) == 0) return PlaintextMutator.MutateBytes(rng, body);
        // One field overwritten in place (tree size, root, timestamp or previous head), so a re-signed head often decodes and verifies.
        var (at, length) = rng.Next(4) switch { 0 => (1, 8), 1 => (9, 32), 2 => (41, 8), _ => (81, 32) };
        rng.NextBytes(body.AsSpan(at, length));
        return body;
    }

    /// <summary>
    /// The sample witness with one field given a random other value (chosen by <paramref name="field"/>, so a run
    /// covers every check behind the decoder whatever its seed), sent through the decoder and the verifier.
    /// </summary>
    private static string DecodeWitnessWithOneField(Random rng, int field)
    {
        string Text() => "x" + rng.Next();
        byte[] Digest() { var d = new byte[32]; rng.NextBytes(d); return d; }
        var witness = field switch
        {
            0 => rng.Next(3) switch { 0 => SampleWitness with { RequestId = Text() }, 1 => SampleWitness with { Operation = Text() }, _ => SampleWitness with { Target = Text() } },
            1 => SampleWitness with { TranscriptHash = Digest() },
            2 => SampleWitness with { Status = rng.Next(2) == 0 ? "error" : Text() },
            3 => rng.Next(3) switch { 0 => SampleWitness with { RequestBodySha256 = Digest() }, 1 => SampleWitness with { ResponseBodySha256 = Digest() }, _ => SampleWitness with { HeadersSha256 = Digest() } },
            _ => SampleWitness with { CompletedAt = SampleWitness.CompletedAt.AddMicroseconds(rng.Next(1, 1_000_000)) },
        };
        var frame = Witness.DecodeFrame(Witness.EncodeFrame(rng.Next(1000), witness.Encode()));
        Assert.True(frame.Witness.Encode().AsSpan().SequenceEqual(frame.Encoded), "A decoded witness does not encode back to its input.");
        return "witness:" + (WitnessVerifier.Check(frame.Witness, Expected)?.ToString() ?? "verified");
    }

    private static string DecodeOne(Random rng)
    {
        switch (rng.Next(9))
        {
            case 0:
            {
                // The WITNESS frame as the gateway decodes it, then held against what the gateway saw.
                // Half the time the whole frame (leaf index too), half the time the witness encoding alone.
                (long Index, byte[] Encoded, Witness Witness) frame;
                try
                {
                    if (rng.Next(2) == 0) frame = Witness.DecodeFrame(PlaintextMutator.MutateBytes(rng, WitnessFrame));
                    else
                    {
                        var encoded = PlaintextMutator.MutateBytes(rng, SampleWitness.Encode());
                        frame = (0, encoded, Witness.Decode(encoded));
                    }
                }
                catch (FormatException) { return "witness:format"; }
                Assert.True(frame.Witness.Encode().AsSpan().SequenceEqual(frame.Encoded), "A decoded witness does not encode back to its input.");
                _ = frame.Witness.LeafHash();
                return "witness:" + (WitnessVerifier.Check(frame.Witness, Expected)?.ToString() ?? "verified");
            }
            case 6:
            {
                var input = MutatedHead(rng);
                SignedTreeHead head;
                try { head = SignedTreeHead.Decode(input); }
                catch (FormatException) { return "head:format"; }
                return "head:" + CheckHead(head, input);
            }
            case 7:
            {
                // A HEAD frame: mutated whole, or a (possibly re-signed) mutated head in front of the leaves.
                var input = rng.Next(2) == 0 ? PlaintextMutator.MutateBytes(rng, BatchBytes) : [.. MutatedHead(rng), .. BatchBytes.AsSpan(SignedTreeHead.EncodedLength)];
                HeadBatch batch;
                try { batch = HeadBatch.Decode(input); }
                catch (FormatException) { return "head-batch:format"; }
                Assert.True(batch.Encode().AsSpan().SequenceEqual(input), "A decoded head batch does not encode back to its input.");
                var signature = CheckHead(batch.Head, input.AsSpan(0, SignedTreeHead.EncodedLength));
                // What the gateway does next: append the leaves to its right edge and compare the signed root.
                var frontier = new MerkleFrontier();
                foreach (var leaf in batch.Leaves) frontier.Append(leaf);
                var root = batch.FirstIndex == 0 && frontier.Size == batch.Head.TreeSize && frontier.Root().AsSpan().SequenceEqual(batch.Head.RootHash);
                return $"head-batch:{signature}{(root ? "" : "-not-included")}";
            }
            case 1:
            {
                try { return JsonSerializer.Deserialize<CallRequest>(PlaintextMutator.MutateBytes(rng, RequestJson), CallJson.Options) is null ? "request:null" : "request:ok"; }
                catch (JsonException) { return "request:json"; }
            }
            case 2 or 3:
            {
                var input = PlaintextMutator.MutateBytes(rng, rng.Next(2) == 0 ? ResponseJson : OkResponseJson);
                CallResponse? expected;
                try { expected = JsonSerializer.Deserialize<CallResponse>(input, CallJson.Options); }
                catch (JsonException) { expected = null; }
                // The gateway reads responses with CallResponseCodec: it must accept and refuse exactly what the serializer does.
                CallResponse response;
                try { response = CallResponseCodec.Decode(input); }
                catch (JsonException)
                {
                    Assert.True(expected is null, "CallResponseCodec refused a response the serializer reads: " + Encoding.UTF8.GetString(input));
                    return "response:json";
                }
                Assert.True(expected is not null, "CallResponseCodec read a response the serializer refuses: " + Encoding.UTF8.GetString(input));
                Assert.Equal(expected.Ok, response.Ok);
                Assert.Equal(expected.HasBody, response.HasBody);
                Assert.Equal(expected.Error?.Code, response.Error?.Code);
                Assert.Equal(expected.Error?.Message, response.Error?.Message);
                Assert.Equal(expected.Error?.RetryAfterSeconds, response.Error?.RetryAfterSeconds);
                Assert.Equal(expected.Result is { } r ? System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(r).ToArray() : null,
                    response.ResultJson.IsEmpty ? null : response.ResultJson.ToArray());
                _ = response.Status;
                // What the gateway does with an error answer: turn it into the exception it throws.
                _ = ChannelClient.ToException(response.Error);
                return "response:ok";
            }
            case 4:
            {
                try { ClientHello.Parse(PlaintextMutator.MutateBytes(rng, ClientHelloBytes)); return "client-hello:ok"; }
                catch (HandshakeException e) { return "client-hello:" + e.Reason; }
            }
            case 5:
            {
                try { ServerHello.Parse(PlaintextMutator.MutateBytes(rng, ServerHelloBytes)); return "server-hello:ok"; }
                catch (HandshakeException e) { return "server-hello:" + e.Reason; }
            }
            default:
            {
                var text = Encoding.UTF8.GetString(PlaintextMutator.MutateBytes(rng, Encoding.UTF8.GetBytes(PublicKeyText)));
                try { HybridPublicKey.Parse(text); return "public-key:ok"; }
                catch (FormatException) { return "public-key:format"; }
            }
        }
    }

    [Fact]
    public async Task Decoders_throw_only_their_own_exceptions_on_mutated_input()
    {
        var run = new FuzzRun("decoders", output);
        var perDecoder = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        await run.RunAsync(ciIterations: 300, perIteration: TimeSpan.FromSeconds(20), maxAllocatedBytes: 32L * 1024 * 1024, async (rng, iteration) =>
        {
            // Four decoders at once on pool threads; their allocation counts toward this iteration's bound.
            var seeds = Enumerable.Range(0, 4).Select(_ => rng.Next()).ToArray();
            // Every tenth iteration's first decoder is a witness with one field changed, the fields in turn.
            var fieldIteration = iteration % 10 == 5;
            var outcomes = await Task.WhenAll(seeds.Select((seed, i) => Task.Run(() => fieldIteration && i == 0
                ? DecodeWitnessWithOneField(new Random(seed), iteration / 10 % 5)
                : DecodeOne(new Random(seed)))));
            foreach (var o in outcomes) perDecoder.AddOrUpdate(o, 1, (_, n) => n + 1);
            return outcomes[0].Split(':')[0];
        });
        output.WriteLine(string.Join(", ", perDecoder.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}")));
        if (FuzzRun.IsReplay || run.Iterations < 100) return;
        // The witness decodes must reach every check behind the decoder, not only the length checks.
        foreach (var outcome in new[] { "verified", "ForeignRequest", "WrongSession", "StatusMismatch", "DigestMismatch", "format" })
            Assert.True(perDecoder.ContainsKey("witness:" + outcome), "no witness:" + outcome + " in " + string.Join(", ", perDecoder.Keys));
        Assert.True(perDecoder.ContainsKey("request:ok") && perDecoder.ContainsKey("request:json"), string.Join(", ", perDecoder.Keys));
        // Re-signed head mutations must get past the signature, not only fail it.
        Assert.True(perDecoder.ContainsKey("head:verified") && perDecoder.ContainsKey("head:format"), string.Join(", ", perDecoder.Keys));
    }
}
