using System.Buffers;

namespace Gateway.Channel.Framing;

/// <summary>
/// Frame buffers. A stream may hold up to its peer's send window of received frames at once (48 by default, 96 at
/// most), more than the shared pool keeps per size, so frames get a pool of their own sized for that: a steady
/// transfer allocates no new buffers. Neither a lower cap nor letting the buffers go when idle lowered the peak RSS
/// (docs/performance.md, session 7): frames past a cap, or re-rented after a release, are new arrays while the old
/// ones wait for a gen2 collection, so both raised it.
/// </summary>
internal static class FrameBuffers
{
    public static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: 128 * 1024, maxArraysPerBucket: 1024);
}
