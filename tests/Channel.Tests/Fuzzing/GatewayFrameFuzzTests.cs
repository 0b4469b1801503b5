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
/// response MESSAGEs, bodies, witnesses (mutated, then signed over exactly what was sent, so the checks behind the
/// signature run), WINDOW_UPDATE, RESET, PING, KEY_UPDATE and GOAWAY. Every call must end in a
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

    /// <summary>The honest answer, content-mutated first and then signed over what will actually be sent.</summary>
    private static List<PlainFrame> Answer(Random rng, RoguePeer rogue, Exchange request, bool mutateContent, out string? mutatedWitness, out string honestOutcome)
    {
        var hasBody = rng.Next(3) != 0;
        var ok = rng.Next(5) != 0;
        var response = ok
            ? new CallResponse { Ok = true, HasBody = hasBody, Result = CallJson.ToElement(new { info = new { key = "a.txt", size = 5 }, offset = 0, length = 5, isPartial = false }) }
            : new CallResponse { Ok = false, Error = new CallError("not-found", "No such object.", 3, new() { ["bucket"] = CallJson.ToElement("fuzz") }) };
        honestOutcome = ok ? "released" : "gateway:not-found";
        var responseBytes = JsonSerializer.SerializeToUtf8Bytes(response, CallJson.Options);
        var body = hasBody && ok ? PlaintextMutator.RandomBytes(rng, 150_000) : [];
        if (mutateContent)
        {
            if (rng.Next(2) == 0) responseBytes = PlaintextMutator.MutateBytes(rng, responseBytes);
            if (body.Length > 0 && rng.Next(3) == 0) body = PlaintextMutator.MutateBytes(rng, body);
        }
        // The status the gateway will derive from the bytes it receives, so that an intact witness matches them.
        string status;
        try { status = JsonSerializer.Deserialize<CallResponse>(responseBytes, CallJson.Options)?.Status ?? "internal"; }
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
            TranscriptHash = rogue.Session.TranscriptHash, PreviousWitnessHash = new byte[32], HostKeyFingerprint = new byte[32],
        };
        mutatedWitness = null;
        if (mutateContent && rng.Next(3) == 0)
        {
            // A wrong field, properly signed: only the check behind the signature can catch it.
            (mutatedWitness, witness) = rng.Next(7) switch
            {
                0 => ("request id", witness with { RequestId = witness.RequestId + "x" }),
                1 => ("status", witness with { Status = witness.Status == "ok" ? "conflict" : "ok" }),
                2 => ("transcript", witness with { TranscriptHash = new byte[32] }),
                3 => ("response digest", witness with { ResponseBodySha256 = SHA256.HashData("other"u8) }),
                4 => ("headers digest", witness with { HeadersSha256 = new byte[32] }),
                5 => ("operation", witness with { Operation = "object-storage.put-object" }),
                _ => ("target", witness with { Target = "" }),
            };
        }
        var encoded = new WitnessSigner(TestKeys.Host).Sign(witness).Encode();
        if (mutateContent && rng.Next(6) == 0)
        {
            var mutated = PlaintextMutator.MutateBytes(rng, encoded); // reaches Witness.Decode
            if (!mutated.AsSpan().SequenceEqual(encoded)) mutatedWitness = "encoding";
            encoded = mutated;
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
        frames.Add(new(FrameType.Witness, 0, Stream, encoded));
        return frames;
    }

    [Fact]
    public async Task Gateway_survives_mutated_answers_sealed_and_signed_with_the_real_keys()
    {
        var run = new FuzzRun("gateway-frames", output);
        var released = 0;
        var refusedAfterSignature = 0;
        await run.RunAsync(ciIterations: 60, perIteration: TimeSpan.FromSeconds(30), maxAllocatedBytes: 64L * 1024 * 1024, async (rng, iteration) =>
        {
            var (clientEnd, rogueEnd) = DuplexPipe.CreatePair();
            var logs = new TestLoggerFactory();
            await using var client = new ChannelClient(new ChannelClientOptions
            {
                Channel = new ChannelOptions { LocalKey = TestKeys.Gateway, PinnedPeers = PeerPins.Of(TestKeys.Host.PublicKey), LoggerFactory = logs },
                Connect = _ => Task.FromResult(clientEnd),
                WitnessTimeout = TimeSpan.FromSeconds(5),
            });
            var rogueTask = RoguePeer.AsHostAsync(rogueEnd, CancellationToken.None);
            var request = new CallRequest { Id = "g1", Family = "object-storage", Instance = "local", Operation = "get-object", Target = "fuzz/a.txt" };
            var call = CallAndReadAsync(client, request, rng.Next(4) == 0 ? PlaintextMutator.RandomBytes(rng, 100_000) : null);
            var rogue = await rogueTask;
            var exchange = await ReadRequestAsync(rogue);
            Assert.NotNull(exchange);

            var mode = iteration % 10 == 0 ? 0 : rng.Next(3); // 0 honest, 1 content mutated and signed, 2 also frames mutated
            var script = Answer(rng, rogue, exchange, mutateContent: mode > 0, out var mutatedWitness, out var honest);
            if (mode == 2) script = PlaintextMutator.MutateScript(rng, script);
            var sentAll = await rogue.TrySendAllAsync(script, CancellationToken.None);
            // Keep reading (credit, resets, pings) until the call is over or the gateway falls quiet, then hang up:
            // from then on the call must end by itself.
            var draining = DrainAsync(rogue);
            await Task.WhenAny(call, Task.Delay(TimeSpan.FromMilliseconds(500)));
            await rogue.DisposeAsync();
            await draining;
            var outcome = await call;
            if (mode == 0) Assert.True(outcome == honest, $"An honest answer ended as {outcome}, not {honest}.");
            if (outcome == "released") released++;
            if (outcome.StartsWith("WitnessFailed:", StringComparison.Ordinal) && !outcome.EndsWith("Malformed", StringComparison.Ordinal)
                && !outcome.EndsWith("BadSignature", StringComparison.Ordinal) && !outcome.EndsWith("Missing", StringComparison.Ordinal))
                refusedAfterSignature++;
            if (mutatedWitness is not null && outcome == "released")
                Assert.Fail($"A witness with a wrong {mutatedWitness} was accepted.");
            return (sentAll ? "" : "cut-off ") + outcome;
        });
        if (FuzzRun.IsReplay || run.Iterations < 20) return;
        Assert.True(released > 0, run.Describe());
        Assert.True(refusedAfterSignature > 0, $"No mutation reached the checks behind the witness signature: {run.Describe()}");
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
