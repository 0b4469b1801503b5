using Gateway.Contracts.IO;

namespace Gateway.Channel.Framing;

/// <summary>
/// Frame buffers: decrypted payloads (64 KiB for a full DATA frame) and sealed write batches. A pool of their own, not
/// the shared one, because frames are rented on the read loop and returned by whichever task consumes them, and
/// slow readers of many streams hold many at once (each stream up to its peer's send window, 48 frames by default):
/// up to 1024 per size are kept while traffic flows, so a steady transfer allocates no new buffers. After
/// <see cref="IdleReleasingArrayPool.DefaultIdle"/> without a frame they are let go, so a burst (ten slow ranged
/// reads held about 60 MiB) does not stay resident for the life of the process.
/// </summary>
internal static class FrameBuffers
{
    public static readonly IdleReleasingArrayPool Pool = new(maxLength: 128 * 1024, perSize: 1024);
}
