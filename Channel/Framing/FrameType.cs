namespace Gateway.Channel.Framing;

/// <summary>Frame types; values are on the wire.</summary>
public enum FrameType : byte
{
    Data = 0,
    Message = 1,
    WindowUpdate = 2,
    Reset = 3,
    Witness = 4,
    Ping = 5,
    KeyUpdate = 6,
    GoAway = 7,
    /// <summary>Host → client, stream 0: a signed tree head and the leaf hashes it adds (<see cref="Witnesses.HeadBatch"/>).</summary>
    Head = 8,
}

public static class FrameFlags
{
    /// <summary>DATA: the last frame of this direction's body.</summary>
    public const byte EndStream = 0x01;
    /// <summary>MESSAGE: the last frame of a buffered message.</summary>
    public const byte EndMessage = 0x02;
    /// <summary>PING: this is the answer.</summary>
    public const byte Ack = 0x04;
}
