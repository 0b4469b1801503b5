using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Channel.Connections;
using Gateway.Channel.Framing;
using Gateway.Channel.Handshake;
using Gateway.Channel.Rpc;
using Gateway.Channel.Transport;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.Errors;
using Xunit.Abstractions;

namespace Gateway.Channel.Tests.Fuzzing;

/// <summary>
/// Frames toward the gateway from a rogue bridge host that holds the real keys and signs with the real host key:
/// response MESSAGEs, bodies, witnesses (mutated, then committed to the host's log under a HEAD frame signed over
/// exactly what was sent, so the checks behind the signed head run), HEAD, WINDOW_UPDATE, RESET, PING, KEY_UPDATE
/// and GOAWAY. Every call must end in a
/// <see cref="GatewayException"/> or a correct answer, and must end at all once the host hangs up.
/// </summary>
[Collection(FuzzCollection.Name)]
public class GatewayFrameFuzzTests(ITestOutputHelper output)
{
    private const uint Stream = 1;

    private sealed record Exchange(byte[] RequestMessage, byte[] RequestBody);

    /// <summary>Reads the gateway's request on stream 1: MESSAGE frames, then DATA to END_STREAM.</summary>
    private static async Task<Exchange?> ReadRequestAsync(RoguePeer rogue)
    {
        var message = new MemoryStream();
        var body = new MemoryStream();
        while (await rogue.ReadAsync(CancellationToken.None) is { } frame)
        {
            if (frame.StreamId != Stream) continue;
            if (frame.Type == FrameType.Message) message.Write(frame.Payload);
            if (frame.Type == FrameType.Data)
            {
                body.Write(frame.Payload);
                if ((frame.Flags & FrameFlags.EndStream) != 0) return new(message.ToArray(), body.ToArray());
            }
        }
        return null;
    }

    /// <summary>What the rogue host sends for one call, and what the gateway must make of it.</summary>
    private sealed record Script(List<PlainFrame> Frames, string? MutatedWitness, WitnessFailure? ExpectedFailure, string HonestOutcome);

    /// <summary>
    /// Commits a witness the way the bridge host does: its leaf hash goes into the host's log
    /// (<see cref="TreeHeadSigner"/>, signed with the real host key) and the head that covers it comes back as the
    /// HEAD frame's payload. Returns the leaf index and that payload.
    /// </summary>
    private static async Task<(long LeafIndex, byte[] HeadFrame)> CommitAsync(byte[] encodedWitness)
    {
        var published = new TaskCompletionSource<HeadBatch>(TaskCreationOptions.RunContinuationsAsynchronously);
        var signer = new TreeHeadSigner(TestKeys.Host,
            batch => { published.TrySetResult(batch); return ValueTask.CompletedTask; },
            e => published.TrySetException(e));
        var leafIndex = signer.Append(MerkleTree.LeafHash(encodedWitness));
        signer.RequestHead();
        var head = await published.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(leafIndex, head.FirstIndex);
        return (leafIndex, head.Encode());
    }

    /// <summary>
    /// The honest answer, content-mutated first; its witness (perhaps with one wrong field) is then committed to the
    /// log over exactly what will be sent, so the checks behind the signed head run.
    /// </summary>
    /// <param name="witnessFieldOnly">Content intact and one witness field wrong for sure: the run then reaches the checks behind the head whatever its seed.</param>
    private static async Task<Script> AnswerAsync(Random rng, RoguePeer rogue, Exchange request, bool mutateContent, bool witnessFieldOnly = false)
    {
        var hasBody = rng.Next(3) != 0;
        var ok = rng.Next(5) != 0;
        var response = ok
            ? new CallResponse { Ok = true, HasBody = hasBody, Result = CallJson.ToElement(new { info = new { key = "a.txt", size = 5 }, offset = 0, length = 5, isPartial = false }) }
            : new CallResponse { Ok = false, Error = new CallError("not-found", "No such object.", 3, new() { ["bucket"] = CallJson.ToElement("fuzz") }) };
        var honestOutcome = ok ? "released" : "gateway:not-found";
        var responseBytes = JsonSerializer.SerializeToUtf8Bytes(response, CallJson.Options);
        var body = hasBody && ok ? PlaintextMutator.RandomBytes(rng, 150_000) : [];
        if (mutateContent && !witnessFieldOnly)
        {
            if (rng.Next(2) == 0) responseBytes = PlaintextMutator.MutateBytes(rng, responseBytes);
            if (body.Length > 0 && rng.Next(3) == 0) body = PlaintextMutator.MutateBytes(rng, body);
        }
        // The status the gateway will derive from the bytes it receives, so that an intact witness matches them. A
        // response the gateway cannot decode fails as malformed before the witness is looked at.
        string status;
        var decodes = false;
        try
        {
            var decoded = JsonSerializer.Deserialize<CallResponse>(responseBytes, CallJson.Options);
            decodes = decoded is not null;
            status = decoded?.Status ?? "internal";
        }
        catch (JsonException) { status = "internal"; }

        var requestId = "g1";
        try { requestId = JsonDocument.Parse(request.RequestMessage).RootElement.GetProperty("id").GetString() ?? requestId; }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { }
        var headers = SHA256.HashData([.. request.RequestMessage, .. responseBytes]);
        var witness = new Witness
        {
            RequestId = requestId, Operation = "object-storage.get-object", Target = "local/fuzz/a.txt", Status = status,
            RequestBodySha256 = SHA256.HashData(request.RequestBody), ResponseBodySha256 = SHA256.HashData(body), HeadersSha256 = headers,
            StartedAt = Witness.TruncateToMicros(DateTimeOffset.UtcNow), CompletedAt = Witness.TruncateToMicros(DateTimeOffset.UtcNow),
            TranscriptHash = rogue.Session.TranscriptHash,
        };
        string? mutatedWitness = null;
        WitnessFailure? expected = null;
        if (mutateContent && (witnessFieldOnly || rng.Next(3) == 0))
        {
            // A wrong field, properly committed under a signed head: only the checks behind the head can catch it.
            (mutatedWitness, expected, witness) = rng.Next(7) switch
            {
                0 => ("request id", WitnessFailure.ForeignRequest, witness with { RequestId = witness.RequestId + "x" }),
                1 => ("status", WitnessFailure.StatusMismatch, witness with { Status = witness.Status == "ok" ? "conflict" : "ok" }),
                2 => ("transcript", WitnessFailure.WrongSession, witness with { TranscriptHash = new byte[32] }),
                3 => ("response digest", WitnessFailure.DigestMismatch, witness with { ResponseBodySha256 = SHA256.HashData("other"u8) }),
                4 => ("headers digest", WitnessFailure.DigestMismatch, witness with { HeadersSha256 = new byte[32] }),
                5 => ("operation", WitnessFailure.ForeignRequest, witness with { Operation = "object-storage.put-object" }),
                _ => ("target", (WitnessFailure?)WitnessFailure.ForeignRequest, witness with { Target = "" }),
            };
        }
        if (!decodes) expected = mutatedWitness is null ? null : WitnessFailure.Malformed;
        var encoded = witness.Encode();
        var (leafIndex, headFrame) = await CommitAsync(encoded);
        var witnessFrame = Witness.EncodeFrame(leafIndex, encoded);
        if (mutateContent && !witnessFieldOnly && rng.Next(6) == 0)
        {
            var mutated = PlaintextMutator.MutateBytes(rng, witnessFrame); // reaches Witness.DecodeFrame, then the leaf check
            if (!mutated.AsSpan().SequenceEqual(witnessFrame))
            {
                mutatedWitness = "encoding";
                expected = null; // malformed, another field wrong, or not the committed leaf: any refusal will do
            }
            witnessFrame = mutated;
        }

        var frames = new List<PlainFrame>();
        for (var at = 0; ; at += FrameHeader.MaxPayload)
        {
            var n = Math.Min(FrameHeader.MaxPayload, responseBytes.Length - at);
            var last = at + n >= responseBytes.Length;
            frames.Add(new(FrameType.Message, last ? FrameFlags.EndMessage : (byte)0, Stream, responseBytes[at..(at + n)]));
            if (last) break;
        }
        for (var at = 0; at < body.Length; at += FrameHeader.MaxPayload)
            frames.Add(new(FrameType.Data, 0, Stream, body[at..Math.Min(body.Length, at + FrameHeader.MaxPayload)]));
        frames.Add(new(FrameType.Data, FrameFlags.EndStream, Stream, []));
        if (rng.Next(3) == 0) frames.Insert(rng.Next(frames.Count), new(FrameType.KeyUpdate, 0, 0, []));
        if (rng.Next(3) == 0) frames.Insert(rng.Next(frames.Count), new(FrameType.Ping, 0, 0, PlaintextMutator.RandomBytes(rng, 8, exact: true)));
        frames.Add(new(FrameType.Witness, 0, Stream, witnessFrame));
        // The host sends the head after the witness; a head that arrives first must do as well (the leaf waits covered).
        var head = new PlainFrame(FrameType.Head, 0, 0, headFrame);
        if (rng.Next(4) == 0) frames.Insert(rng.Next(frames.Count), head);
        else frames.Add(head);
        return new Script(frames, mutatedWitness, expected, honestOutcome);
    }

    [Fact]
    public async Task Gateway_survives_mutated_answers_sealed_and_signed_with_the_real_keys()
    {
        var run = new FuzzRun("gateway-frames", output);
        var released = 0;
        var refusedAfterCommit = 0;
        await run.RunAsync(ciIterations: 60, perIteration: TimeSpan.FromSeconds(30), maxAllocatedBytes: 64L * 1024 * 1024, async (rng, iteration) =>
        {
            var (clientEnd, rogueEnd) = DuplexPipe.CreatePair();
            var logs = new TestLoggerFactory();
            await using var client = new ChannelClient(new ChannelClientOptions
            {
                Channel = new ChannelOptions { LocalKey = TestKeys.Gateway, PinnedPeers = PeerPins.Of(TestKeys.Host.PublicKey), LoggerFactory = logs },
                Connect = _ => Task.FromResult(clientEnd),
                WitnessTimeout = TimeSpan.FromSeconds(5),
                // Generous, as in ChannelHarness: an honest answer's head is applied within this even on a busy machine.
                // A call whose head never comes still ends soon: the rogue hangs up, and that fails it at once.
                HeadTimeout = TimeSpan.FromSeconds(10),
            });
            var rogueTask = RoguePeer.AsHostAsync(rogueEnd, CancellationToken.None);
            var request = new CallRequest { Id = "g1", Family = "object-storage", Instance = "local", Operation = "get-object", Target = "fuzz/a.txt" };
            var call = CallAndReadAsync(client, request, rng.Next(4) == 0 ? PlaintextMutator.RandomBytes(rng, 100_000) : null);
            var rogue = await rogueTask;
            var exchange = await ReadRequestAsync(rogue);
            Assert.NotNull(exchange);

            // 0 honest, 1 content mutated and committed, 2 also frames mutated; every tenth run from the fifth has only a
            // witness field wrong, so some mutations reach the checks behind the signed head with any seed.
            var fieldOnly = iteration % 10 == 5;
            var mode = iteration % 10 == 0 ? 0 : fieldOnly ? 1 : rng.Next(3);
            var answer = await AnswerAsync(rng, rogue, exchange, mutateContent: mode > 0, witnessFieldOnly: fieldOnly);
            var script = mode == 2 ? PlaintextMutator.MutateScript(rng, answer.Frames) : answer.Frames;
            var sentAll = await rogue.TrySendAllAsync(script, CancellationToken.None);
            // Keep reading (credit, resets, pings) until the call is over, then hang up. Frames intact (modes 0 and 1):
            // the call ends by itself within the head and witness bounds, so wait for it; hanging up earlier would drop
            // its head before it was applied (a busy machine) and end an honest call as HeadMissing. Frames mutated: it
            // may wait for frames that never come, so hang up once the gateway falls quiet; the call must then end by itself.
            var draining = DrainAsync(rogue);
            if (mode < 2) await Task.WhenAny(call);
            else await Task.WhenAny(call, Task.Delay(TimeSpan.FromMilliseconds(500)));
            await rogue.DisposeAsync();
            await draining;
            var outcome = await call;
            if (mode == 0) Assert.True(outcome == answer.HonestOutcome, $"An honest answer ended as {outcome}, not {answer.HonestOutcome}.");
            if (outcome == "released") released++;
            if (outcome.StartsWith("WitnessFailed:", StringComparison.Ordinal) && !outcome.EndsWith("Malformed", StringComparison.Ordinal)
                && !outcome.EndsWith("BadSignature", StringComparison.Ordinal) && !outcome.EndsWith("Missing", StringComparison.Ordinal))
                refusedAfterCommit++;
            if (answer.MutatedWitness is not null && outcome == "released")
                Assert.Fail($"A witness with a wrong {answer.MutatedWitness} was accepted.");
            // Frames intact: the one wrong field must be named, not just refused somehow.
            if (mode == 1 && answer.ExpectedFailure is { } failure)
                Assert.True(outcome == "WitnessFailed:" + failure, $"A witness with a wrong {answer.MutatedWitness} ended as {outcome}, not WitnessFailed:{failure}.");
            return (sentAll ? "" : "cut-off ") + outcome;
        });
        if (FuzzRun.IsReplay || run.Iterations < 20) return;
        Assert.True(released > 0, run.Describe());
        Assert.True(refusedAfterCommit > 0, $"No mutation reached the checks behind the signed tree head: {run.Describe()}");
    }

    private static async Task DrainAsync(RoguePeer rogue)
    {
        while (await rogue.ReadAsync(CancellationToken.None) is not null) { }
    }

    /// <summary>
    /// Runs one call to its end (reading a streamed body through); the outcome names how it ended. Allowed: a
    /// <see cref="GatewayException"/> from the call; once a streamed body was handed out, also an
    /// <see cref="IOException"/> from reading it (the HTTP response is then aborted, never completed). Anything
    /// else escapes and fails the iteration.
    /// </summary>
    private static async Task<string> CallAndReadAsync(ChannelClient client, CallRequest request, byte[]? body)
    {
        ChannelCall call;
        try { call = await client.CallAsync(request, body is null ? null : new MemoryStream(body), CancellationToken.None); }
        catch (WitnessFailedException e) { return "WitnessFailed:" + e.Reason; }
        catch (GatewayException e) { return "gateway:" + e.Code.Slug(); }
        await using (call)
        {
            try { await call.Body.CopyToAsync(System.IO.Stream.Null); }
            catch (WitnessFailedException e) { return "WitnessFailed:" + e.Reason; }
            catch (IOException e) { return "body-aborted:" + (e is ChannelProtocolException p ? p.Reason.ToString() : e.GetType().Name); }
            return call.Response.Ok ? "released" : "error:" + call.Response.Status;
        }
    }
}
