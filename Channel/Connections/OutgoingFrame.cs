using Gateway.Channel.Framing;

namespace Gateway.Channel.Connections;

/// <summary>One frame of a batch written together (<see cref="ChannelConnection.WriteFramesAsync"/>).</summary>
internal readonly record struct OutgoingFrame(FrameType Type, byte Flags, ReadOnlyMemory<byte> Payload);
