using System.Buffers;

namespace Gateway.Channel.Framing;

/// <summary>A decrypted frame. <see cref="Buffer"/> is rented from <see cref="FrameBuffers.Pool"/>; whoever consumes it returns it.</summary>
public readonly record struct InboundFrame(FrameType Type, byte Flags, uint StreamId, byte[]? Buffer, int Length)
{
    public ReadOnlySpan<byte> Payload => Buffer is null ? default : Buffer.AsSpan(0, Length);
    public ReadOnlyMemory<byte> PayloadMemory => Buffer is null ? default : Buffer.AsMemory(0, Length);

    public void Return()
    {
        if (Buffer is not null) FrameBuffers.Pool.Return(Buffer);
    }
}
