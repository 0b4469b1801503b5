using Gateway.Channel.Framing;
using Gateway.Channel.Handshake;
using Gateway.Channel.Tests.Fuzzing;
using Gateway.Channel.Transport;
using Xunit.Abstractions;

namespace Gateway.Channel.Tests;

/// <summary>
/// Random-mutation fuzzing of the ciphertext side: the frame decoder and the handshake parsers. Every input must
/// end in the layer's own exception or a clean result: no crash, no hang, and no allocation beyond the frame
/// limits. The seed is random and logged (CTP96_FUZZ_SEED replays it); Fuzzing/ reaches past the tag.
/// </summary>
[Collection(FuzzCollection.Name)]
public class FuzzTests(ITestOutputHelper output)
{
    private static byte[] Mutate(Random rng, byte[] input)
    {
        var data = input.ToList();
        var edits = rng.Next(1, 6);
        for (var i = 0; i < edits && data.Count > 0; i++)
        {
            switch (rng.Next(6))
            {
                case 0: data[rng.Next(data.Count)] ^= (byte)(1 << rng.Next(8)); break;
                case 1: data[rng.Next(data.Count)] = (byte)rng.Next(256); break;
                case 2: data.RemoveRange(rng.Next(data.Count), 1); break;
                case 3: data.Insert(rng.Next(data.Count), (byte)rng.Next(256)); break;
                case 4: { var cut = rng.Next(data.Count); data.RemoveRange(cut, data.Count - cut); break; }
                default: data[rng.Next(Math.Min(5, data.Count))] = (byte)rng.Next(256); break; // header bytes
            }
            if (data.Count == 0) break;
        }
        return [.. data];
    }

    private static byte[] ValidFrames(byte[] secret)
    {
        using var cipher = new FrameCipher(secret);
        var output = new MemoryStream();
        var rng = new Random(1);
        foreach (var (type, flags, stream, length) in new[] { (FrameType.Message, FrameFlags.EndMessage, 1u, 120), (FrameType.Data, (byte)0, 1u, 3000), (FrameType.WindowUpdate, (byte)0, 1u, 4), (FrameType.Data, FrameFlags.EndStream, 1u, 0), (FrameType.Ping, (byte)0, 0u, 8) })
        {
            var payload = new byte[length];
            rng.NextBytes(payload);
            var frame = new byte[FrameHeader.Size + length + FrameHeader.TagSize];
            new FrameHeader(length, type, flags, stream, cipher.Sequence).Write(frame);
            cipher.Seal(frame.AsSpan(0, FrameHeader.Size), payload, frame.AsSpan(FrameHeader.Size, length), frame.AsSpan(FrameHeader.Size + length));
            output.Write(frame);
        }
        return output.ToArray();
    }

    [Fact]
    public async Task Frame_decoder_survives_mutated_input()
    {
        var secret = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var valid = ValidFrames(secret);
        var run = new FuzzRun("frame-decoder", output);
        // The reader's fixed buffer (≈ 80 KiB) + one pooled frame + small change; never input-sized growth.
        await run.RunAsync(ciIterations: 3000, perIteration: TimeSpan.FromSeconds(10), maxAllocatedBytes: 400 * 1024, async (rng, iteration) =>
        {
            var input = iteration % 10 == 0 ? RandomBytes(rng) : Mutate(rng, valid);
            var reader = new FrameReader(new MemoryStream(input), new FrameCipher((byte[])secret.Clone()));
            try
            {
                var frames = 0;
                while (await reader.ReadAsync(default) is { } frame)
                {
                    Assert.True(frame.Length <= FrameHeader.MaxPayload);
                    frame.Return();
                    Assert.True(++frames <= 5, "More frames decoded than were ever sealed.");
                }
                return "clean";
            }
            catch (ChannelProtocolException e) { return e.Reason.ToString(); }
        }, synchronous: true); // a MemoryStream never makes the reader wait: only this thread's allocations count
        if (FuzzRun.IsReplay) return;
        // The mutations must reach the deep checks, not only the length check.
        Assert.True(run.Outcomes.GetValueOrDefault(nameof(ChannelCloseReason.AuthenticationFailed)) > 100, run.Describe());
        Assert.True(run.Outcomes.GetValueOrDefault(nameof(ChannelCloseReason.Oversized)) > 10, run.Describe());
    }

    private static byte[] RandomBytes(Random rng)
    {
        var b = new byte[rng.Next(0, 200)];
        rng.NextBytes(b);
        return b;
    }

    [Fact]
    public async Task Handshake_parsers_survive_mutated_input()
    {
        // Record one real, deterministic handshake, then replay mutated copies of each side's messages.
        // A fixed clock: the recorded ClientHello stays fresh however long a soak runs, so mutations reach past the proof.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000));
        var (c, h) = DuplexPipe.CreatePair();
        var hostTask = ChannelHandshake.ServerAsync(new RecordingStream(h), TestKeys.Host, PeerPins.Of(TestKeys.Gateway.PublicKey), new FixedEntropy("host"), default, new ClientHelloGuard(clock));
        var clientRecording = new RecordingStream(c);
        await ChannelHandshake.ClientAsync(clientRecording, TestKeys.Gateway, PeerPins.Of(TestKeys.Host.PublicKey), new FixedEntropy("client"), default, clock);
        await hostTask;
        var clientToHost = clientRecording.Written.ToArray();   // ClientHello || ClientFinished
        var hostToClient = clientRecording.ReadBytes.ToArray();      // ServerHello

        var run = new FuzzRun("handshake", output);
        await run.RunAsync(ciIterations: 150, perIteration: TimeSpan.FromSeconds(20), maxAllocatedBytes: 32L * 1024 * 1024, async (rng, iteration) =>
        {
            var toHost = iteration % 2 == 0;
            var input = Mutate(rng, toHost ? clientToHost : hostToClient);
            var stream = new ScriptedStream(input);
            try
            {
                if (toHost) await ChannelHandshake.ServerAsync(stream, TestKeys.Host, PeerPins.Of(TestKeys.Gateway.PublicKey), new FixedEntropy("host"), default, new ClientHelloGuard(clock));
                else await ChannelHandshake.ClientAsync(stream, TestKeys.Gateway, PeerPins.Of(TestKeys.Host.PublicKey), new FixedEntropy("client"), default, clock);
                // A mutation may land in a spot nobody reads (e.g. after the last message); then the handshake may succeed.
                return "completed";
            }
            catch (HandshakeException e) { return e.Reason.ToString(); }
        });
        if (FuzzRun.IsReplay) return;
        Assert.True(run.Outcomes.Keys.Count(k => k != "completed") >= 3, run.Describe());
    }

    /// <summary>Passes through, remembering what was written and read.</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        public MemoryStream Written { get; } = new();
        public MemoryStream ReadBytes { get; } = new();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            var n = await inner.ReadAsync(buffer, ct);
            ReadBytes.Write(buffer.Span[..n]);
            return n;
        }
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            Written.Write(buffer.Span);
            await inner.WriteAsync(buffer, ct);
        }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
