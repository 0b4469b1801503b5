using System.Buffers.Binary;
using Gateway.Channel.Framing;

namespace Gateway.Channel.Tests.Fuzzing;

/// <summary>One frame before sealing: what a peer holding the real key could send.</summary>
internal sealed record PlainFrame(FrameType Type, byte Flags, uint StreamId, byte[] Payload);

/// <summary>
/// Mutations applied before sealing, so they reach the decoders behind the GCM tag: payload bytes (bit flips,
/// interesting integers, truncation, growth), flags, type, stream id, and the order and number of frames.
/// </summary>
internal static class PlaintextMutator
{
    private static readonly uint[] InterestingIds = [0, 1, 2, 3, 5, 0x7fff_ffff, 0x8000_0001, 0xffff_ffff];
    private static readonly uint[] InterestingInts = [0, 1, 31, 32, 33, 95, 96, 97, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff];

    public static byte[] MutateBytes(Random rng, byte[] input, int maxEdits = 6)
    {
        var data = new List<byte>(input);
        var edits = rng.Next(1, maxEdits + 1);
        for (var i = 0; i < edits; i++)
        {
            switch (rng.Next(data.Count == 0 ? 1 : 9))
            {
                case 0: data.Insert(rng.Next(data.Count + 1), (byte)rng.Next(256)); break;
                case 1: data[rng.Next(data.Count)] ^= (byte)(1 << rng.Next(8)); break;
                case 2: data[rng.Next(data.Count)] = (byte)rng.Next(256); break;
                case 3: data.RemoveAt(rng.Next(data.Count)); break;
                case 4: { var at = rng.Next(data.Count); data.RemoveRange(at, Math.Min(rng.Next(1, 16), data.Count - at)); break; }
                case 5: { var cut = rng.Next(data.Count); data.RemoveRange(cut, data.Count - cut); break; }
                case 6:
                {
                    // An interesting 16- or 32-bit big-endian integer over whatever was there (lengths, counts).
                    var at = rng.Next(data.Count);
                    var value = InterestingInts[rng.Next(InterestingInts.Length)];
                    var bytes = new byte[4];
                    BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
                    var width = rng.Next(2) == 0 ? 2 : 4;
                    for (var k = 0; k < width && at + k < data.Count; k++) data[at + k] = bytes[4 - width + k];
                    break;
                }
                case 7:
                {
                    // Duplicate a slice (repeated JSON members, repeated fields).
                    var from = rng.Next(data.Count);
                    var n = Math.Min(rng.Next(1, 64), data.Count - from);
                    data.InsertRange(rng.Next(data.Count + 1), data.GetRange(from, n));
                    break;
                }
                default:
                {
                    // JSON-aware: swap a structural character for another.
                    var structural = "{}[]\":,0-9en\\ "u8;
                    data[rng.Next(data.Count)] = structural[rng.Next(structural.Length)];
                    break;
                }
            }
        }
        return [.. data];
    }

    public static uint InterestingInt(Random rng) => InterestingInts[rng.Next(InterestingInts.Length)];

    /// <summary>Mutates a well-formed frame script: each frame may change, vanish, repeat, or gain a random neighbour.</summary>
    /// <remarks>With <paramref name="payloadOnly"/> the frames stay as they are and only payloads change: that keeps
    /// the connection up and aims the mutations at the call layer (JSON, arguments, bodies, credit, reset text).</remarks>
    public static List<PlainFrame> MutateScript(Random rng, IReadOnlyList<PlainFrame> script, bool payloadOnly = false)
    {
        var output = new List<PlainFrame>();
        var rate = rng.NextDouble() * 0.5;
        var mutated = false;
        for (var i = 0; i < script.Count; i++)
        {
            var frame = script[i];
            // At least one frame changes, or the iteration would test nothing.
            if (rng.NextDouble() >= rate && (mutated || i < script.Count - 1))
            {
                output.Add(frame);
                continue;
            }
            mutated = true;
            if (payloadOnly)
            {
                output.Add(frame with { Payload = MutateBytes(rng, frame.Payload) });
                continue;
            }
            switch (rng.Next(8))
            {
                case 0: break; // dropped
                case 1: output.Add(frame); output.Add(frame); break;
                case 2: output.Add(frame with { Flags = (byte)rng.Next(256) }); break;
                case 3: output.Add(frame with { Type = (FrameType)rng.Next(8) }); break;
                case 4: output.Add(frame with { StreamId = rng.Next(2) == 0 ? InterestingIds[rng.Next(InterestingIds.Length)] : frame.StreamId + (uint)rng.Next(1, 4) }); break;
                case 5: output.Add(frame); output.Add(RandomFrame(rng, frame.StreamId)); break;
                default: output.Add(frame with { Payload = MutateBytes(rng, frame.Payload) }); break;
            }
        }
        if (!payloadOnly && rng.Next(4) == 0) output.Insert(rng.Next(output.Count + 1), RandomFrame(rng, script.Count > 0 ? script[0].StreamId : 1));
        return output;
    }

    /// <summary>A frame of any type with a payload shaped for it (or random bytes).</summary>
    public static PlainFrame RandomFrame(Random rng, uint streamId)
    {
        var type = (FrameType)rng.Next(8);
        var id = rng.Next(3) == 0 ? InterestingIds[rng.Next(InterestingIds.Length)] : streamId;
        byte[] payload;
        switch (type)
        {
            case FrameType.WindowUpdate:
                payload = new byte[rng.Next(4) == 0 ? rng.Next(0, 9) : 4];
                if (payload.Length >= 4) BinaryPrimitives.WriteUInt32BigEndian(payload, InterestingInt(rng));
                break;
            case FrameType.Reset:
                payload = rng.Next(2) == 0 ? "not-found\nGone."u8.ToArray() : RandomBytes(rng, 64);
                break;
            case FrameType.Ping:
                payload = RandomBytes(rng, rng.Next(3) == 0 ? 16 : 8, exact: rng.Next(3) != 0);
                break;
            case FrameType.KeyUpdate or FrameType.GoAway:
                payload = rng.Next(3) == 0 ? RandomBytes(rng, 16) : [];
                break;
            default:
                payload = RandomBytes(rng, 256);
                break;
        }
        return new PlainFrame(type, rng.Next(3) == 0 ? (byte)rng.Next(256) : (byte)0, id, payload);
    }

    public static byte[] RandomBytes(Random rng, int max, bool exact = false)
    {
        var b = new byte[exact ? max : rng.Next(0, max + 1)];
        rng.NextBytes(b);
        return b;
    }
}
