using System.Buffers;

namespace Gateway.Channel.Framing;

/// <summary>
/// Frame buffers. A stream may hold 96 received frames at once, more than the shared pool keeps per size, so
/// frames get a pool of their own sized for that: a steady transfer allocates no new buffers.
/// </summary>
internal static class FrameBuffers
{
    public static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: 128 * 1024, maxArraysPerBucket: 1024);
}
