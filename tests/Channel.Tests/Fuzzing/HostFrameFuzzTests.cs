using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Channel.Framing;
using Gateway.Channel.Rpc;
using Gateway.Channel.Transport;
using Gateway.Channel.Witnesses;
using Xunit.Abstractions;

namespace Gateway.Channel.Tests.Fuzzing;

/// <summary>
/// Frames toward the bridge host, mutated before sealing with the real key: call MESSAGEs (the JSON and the
/// family's arguments), DATA, WINDOW_UPDATE, RESET, PING, KEY_UPDATE and GOAWAY reach the real host's decoders.
/// Whatever arrives, the host must answer each call with a well-formed response (never "internal": bad input is
/// the caller's error), sign every witness it sends correctly, and finish the connection once the peer hangs up.
/// </summary>
[Collection(FuzzCollection.Name)]
public class HostFrameFuzzTests(ITestOutputHelper output)
{
    private static byte[] Call(string id, string operation, string target, string? args, bool hasBody = false) => Encoding.UTF8.GetBytes(
        $$"""{"id":"{{id}}","family":"object-storage","instance":"local","operation":"{{operation}}","target":"{{target}}"{{(args is null ? "" : ",\"args\":" + args)}}{{(hasBody ? ",\"hasBody\":true" : "")}}}""");

    private static PlainFrame Message(uint stream, byte[] json) => new(FrameType.Message, FrameFlags.EndMessage, stream, json);
    private static PlainFrame End(uint stream) => new(FrameType.Data, FrameFlags.EndStream, stream, []);
    private static PlainFrame Data(uint stream, byte[] bytes) => new(FrameType.Data, 0, stream, bytes);

    /// <summary>Well-formed conversations a real gateway could have; the fuzzer starts from one of these.</summary>
    internal static List<PlainFrame> Script(Random rng)
    {
        var body = PlaintextMutator.RandomBytes(rng, 3000, exact: true);
        return rng.Next(4) switch
        {
            0 =>
            [
                Message(1, Call("c1", "create-bucket", "fuzz", """{"bucket":"fuzz"}""")), End(1),
                Message(3, Call("c2", "put-object", "fuzz/a.txt", """{"bucket":"fuzz","key":"a.txt","options":{}}""", hasBody: true)),
                Data(3, body), End(3),
                Message(5, Call("c3", "get-object", "fuzz/a.txt", """{"bucket":"fuzz","key":"a.txt","options":{}}""")), End(5),
                new(FrameType.WindowUpdate, 0, 5, [0, 0, 0, 1]),
            ],
            1 =>
            [
                Message(1, Call("c1", "list-buckets", "", null)), End(1),
                new(FrameType.Ping, 0, 0, [1, 2, 3, 4, 5, 6, 7, 8]),
                new(FrameType.KeyUpdate, 0, 0, []),
                Message(3, Call("c2", "list-buckets", "", null)), End(3),
                Message(5, Call("c3", "list-objects", "fuzz", """{"bucket":"fuzz","request":{"prefix":"a","maxKeys":10}}""")), End(5),
            ],
            2 =>
            [
                Message(1, Call("c1", "put-object", "fuzz/b", """{"bucket":"fuzz","key":"b","options":{}}""", hasBody: true)),
                Data(1, body), new(FrameType.Reset, 0, 1, "cancelled\nThe caller went away."u8.ToArray()),
                Message(3, Call("c2", "delete-object", "fuzz/b", """{"bucket":"fuzz","key":"b","conditions":null}""")), End(3),
                new(FrameType.GoAway, 0, 0, []),
            ],
            _ =>
            [
                Message(1, Call("c1", "head-object", "fuzz/a.txt", """{"bucket":"fuzz","key":"a.txt","conditions":{}}""")), End(1),
                Message(3, Call("c2", "copy-object", "fuzz/a.txt", """{"source":{"bucket":"fuzz","key":"a.txt"},"destination":{"bucket":"fuzz","key":"c"}}""")), End(3),
            ],
        };
    }

    [Fact]
    public async Task Host_survives_mutated_frames_sealed_with_the_real_key()
    {
        var run = new FuzzRun("host-frames", output);
        var answered = 0;
        await run.RunAsync(ciIterations: 60, perIteration: TimeSpan.FromSeconds(30), maxAllocatedBytes: 64L * 1024 * 1024, async (rng, iteration) =>
        {
            // A fresh host and store per iteration, so one iteration replays alone exactly.
            await using var harness = ChannelHarness.Create();
            var (rogueEnd, hostEnd) = DuplexPipe.CreatePair();
            var serving = harness.Host.ServeConnectionAsync(hostEnd, "fuzz", CancellationToken.None);
            var rogue = await RoguePeer.AsClientAsync(rogueEnd, CancellationToken.None);
            var script = iteration % 10 == 0 ? Script(rng) : PlaintextMutator.MutateScript(rng, Script(rng), payloadOnly: iteration % 2 == 0);
            var sentAll = await rogue.TrySendAllAsync(script, CancellationToken.None);
            var result = await CollectAnswersAsync(rogue, script, harness.Logs);
            answered += result.Answers;
            await rogue.DisposeAsync();
            // Once the peer hung up, the host must let go of the connection (a hang fails the iteration's time limit).
            await serving;
            return (sentAll ? "" : "cut-off ") + result.Outcome;
        });
        if (FuzzRun.IsReplay || run.Iterations < 20) return;
        // The mutations must get past the tag into the call layer, not only break frames.
        Assert.True(answered >= run.Iterations / 4, $"Only {answered} calls were answered in {run.Iterations} iterations: {run.Describe()}");
        Assert.Contains(run.Outcomes.Keys, k => k.StartsWith("closed", StringComparison.Ordinal));
    }

    private sealed record HostAnswers(int Answers, string Outcome);

    /// <summary>Reads what the host sends back until it closes, every call it took finished, or it falls quiet.</summary>
    private static async Task<HostAnswers> CollectAnswersAsync(RoguePeer rogue, List<PlainFrame> script, TestLoggerFactory logs, bool waitForAll = false)
    {
        var opened = script.Where(f => f.Type == FrameType.Message && f.StreamId % 2 == 1 && f.StreamId != 0).Select(f => f.StreamId).ToHashSet();
        var finished = new HashSet<uint>();
        var messages = new Dictionary<uint, MemoryStream>();
        var answers = 0;
        var statuses = new List<string>();
        while (true)
        {
            // Quiet for a while with calls still open: the host is waiting for input the script never sent. Not a
            // failure (only a label); the connection is then closed and the host must finish.
            using var quiet = new CancellationTokenSource(waitForAll ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(1));
            PlainFrame? frame;
            try { frame = await rogue.ReadAsync(quiet.Token); }
            catch (OperationCanceledException) { return new(answers, "waiting " + string.Join('/', statuses)); }
            if (frame is null) return new(answers, "closed " + string.Join('/', statuses));
            switch (frame.Type)
            {
                case FrameType.Message:
                    var buffer = messages.TryGetValue(frame.StreamId, out var m) ? m : messages[frame.StreamId] = new MemoryStream();
                    buffer.Write(frame.Payload);
                    if ((frame.Flags & FrameFlags.EndMessage) == 0) break;
                    var response = JsonSerializer.Deserialize<CallResponse>(buffer.ToArray(), CallJson.Options);
                    Assert.NotNull(response);
                    Assert.True(response.Ok || response.Error is not null, "A failed call came back without an error.");
                    // A 500 for bad input is a bug: whatever the gateway sent, the host's answer names the caller's error.
                    Assert.True(response.Status != "internal", $"The host answered a fuzzed call with 'internal': {response.Error}\n"
                        + string.Join("\n", logs.Events.Where(e => e.EventId == 9608).Select(e => e.Exception?.ToString())));
                    statuses.Add(response.Status);
                    answers++;
                    break;
                case FrameType.Witness:
                    var (_, _, witness) = Witness.DecodeFrame(frame.Payload);
                    Assert.Equal(rogue.Session.TranscriptHash, witness.TranscriptHash);
                    finished.Add(frame.StreamId);
                    break;
                case FrameType.Head:
                    var batch = HeadBatch.Decode(frame.Payload);
                    Assert.True(batch.Head.VerifySignature(TestKeys.Host.PublicKey), "The host sent a tree head that does not verify.");
                    break;
                case FrameType.Reset:
                    finished.Add(frame.StreamId);
                    break;
            }
            if (opened.Count > 0 && opened.IsSubsetOf(finished)) return new(answers, "finished " + string.Join('/', statuses));
        }
    }

    [Fact]
    public async Task Unmutated_scripts_are_answered_ok()
    {
        // The fuzzer's starting points must be right, or the mutations start from noise.
        await using var harness = ChannelHarness.Create();
        var (rogueEnd, hostEnd) = DuplexPipe.CreatePair();
        var serving = harness.Host.ServeConnectionAsync(hostEnd, "fuzz", CancellationToken.None);
        await using (var rogue = await RoguePeer.AsClientAsync(rogueEnd, CancellationToken.None))
        {
            List<PlainFrame> script =
            [
                Message(1, Call("c1", "create-bucket", "fuzz", """{"bucket":"fuzz"}""")), End(1),
                Message(3, Call("c2", "put-object", "fuzz/a.txt", """{"bucket":"fuzz","key":"a.txt","options":{}}""", hasBody: true)),
                Data(3, "hello"u8.ToArray()), End(3),
                Message(5, Call("c3", "get-object", "fuzz/a.txt", """{"bucket":"fuzz","key":"a.txt","options":{}}""")), End(5),
                Message(7, Call("c4", "list-objects", "fuzz", """{"bucket":"fuzz","request":{"prefix":"a","maxKeys":10}}""")), End(7),
                Message(9, Call("c5", "list-buckets", "", null)), End(9),
            ];
            // One phase at a time: calls on different streams run concurrently on the host.
            foreach (var (skip, take, expected) in new[] { (0, 2, "finished ok"), (2, 3, "finished ok"), (5, 6, "finished ok/ok/ok") })
            {
                var phase = script.Skip(skip).Take(take).ToList();
                foreach (var frame in phase) await rogue.SendAsync(frame, default);
                var answers = await CollectAnswersAsync(rogue, phase, harness.Logs, waitForAll: true).WaitAsync(TimeSpan.FromSeconds(60));
                Assert.Equal(expected, answers.Outcome);
            }
        }
        await serving.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
