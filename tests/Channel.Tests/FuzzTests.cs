using Gateway.Channel.Framing;
using Gateway.Channel.Handshake;
using Gateway.Channel.Transport;

namespace Gateway.Channel.Tests;

/// <summary>
/// Bounded random-mutation fuzzing (fixed seeds, so failures reproduce) of the frame decoder and the handshake
/// parsers: every input must end in the layer's own exception or a clean result: no crash, no hang, and no
/// allocation beyond the frame limits.
/// </summary>
public class FuzzTests
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
        var rng = new Random(9601);
        var outcomes = new Dictionary<string, int>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        for (var iteration = 0; iteration < 3000; iteration++)
        {
            Assert.True(DateTime.UtcNow < deadline, "The frame fuzz ran past its time bound (a hang).");
            var input = iteration % 10 == 0 ? RandomBytes(rng) : Mutate(rng, valid);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var reader = new FrameReader(new MemoryStream(input), new FrameCipher(secret));
            string outcome;
            try
            {
                var frames = 0;
                while (await reader.ReadAsync(default) is { } frame)
                {
                    Assert.True(frame.Length <= FrameHeader.MaxPayload);
                    frame.Return();
                    Assert.True(++frames <= 5, "More frames decoded than were ever sealed.");
                }
                outcome = "clean";
            }
            catch (ChannelProtocolException e) { outcome = e.Reason.ToString(); }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            // The reader's fixed buffer (≈ 80 KiB) + one pooled frame + small change; never input-sized growth.
            Assert.True(allocated < 400 * 1024, $"Iteration {iteration} allocated {allocated} bytes.");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        // The mutations must reach the deep checks, not only the length check.
        Assert.True(outcomes.GetValueOrDefault(nameof(ChannelCloseReason.AuthenticationFailed)) > 100, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault(nameof(ChannelCloseReason.Oversized)) > 10, string.Join(", ", outcomes));
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
        var (c, h) = DuplexPipe.CreatePair();
        var hostTask = ChannelHandshake.ServerAsync(new RecordingStream(h), TestKeys.Host, PeerPins.Of(TestKeys.Gateway.PublicKey), new FixedEntropy("host"), default);
        var clientRecording = new RecordingStream(c);
        await ChannelHandshake.ClientAsync(clientRecording, TestKeys.Gateway, PeerPins.Of(TestKeys.Host.PublicKey), new FixedEntropy("client"), default);
        await hostTask;
        var clientToHost = clientRecording.Written.ToArray();   // ClientHello || ClientFinished
        var hostToClient = clientRecording.ReadBytes.ToArray();      // ServerHello

        var rng = new Random(96);
        var reasons = new Dictionary<HandshakeFailure, int>();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        for (var i = 0; i < 150; i++)
        {
            Assert.True(DateTime.UtcNow < deadline, "The handshake fuzz ran past its time bound (a hang).");
            var toHost = i % 2 == 0;
            var input = Mutate(rng, toHost ? clientToHost : hostToClient);
            var stream = new ScriptedStream(input);
            try
            {
                if (toHost) await ChannelHandshake.ServerAsync(stream, TestKeys.Host, PeerPins.Of(TestKeys.Gateway.PublicKey), new FixedEntropy("host"), default);
                else await ChannelHandshake.ClientAsync(stream, TestKeys.Gateway, PeerPins.Of(TestKeys.Host.PublicKey), new FixedEntropy("client"), default);
                // A mutation may land in a spot nobody reads (e.g. after the last message); then the handshake may succeed.
                reasons[(HandshakeFailure)0] = reasons.GetValueOrDefault((HandshakeFailure)0) + 1;
            }
            catch (HandshakeException e) { reasons[e.Reason] = reasons.GetValueOrDefault(e.Reason) + 1; }
        }
        Assert.True(reasons.Keys.Count(k => k != 0) >= 3, string.Join(", ", reasons));
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
