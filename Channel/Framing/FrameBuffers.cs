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

    /// <summary>
    /// Write buffers too large for <see cref="Pool"/>: several frames sealed for one transport write (a batch of four
    /// 64 KiB frames is just over 256 KiB, so it takes the 512 KiB bucket). A connection uses one at a time, under its
    /// write lock; without this pool each such write allocated a new large-object array, which cost more CPU (zeroing,
    /// collections) than the batching saved.
    /// </summary>
    public static readonly ArrayPool<byte> Batches = ArrayPool<byte>.Create(maxArrayLength: 512 * 1024, maxArraysPerBucket: 8);

    /// <summary>The pool that keeps buffers of <paramref name="length"/> bytes.</summary>
    public static ArrayPool<byte> For(int length) => length <= 128 * 1024 ? Pool : Batches;
}
