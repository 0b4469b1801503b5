namespace Gateway.Channel.Connections;

/// <summary>Client side: the frames of the bridge host's witness log that belong to no open stream.</summary>
public interface IWitnessLogFrames
{
    /// <summary>A HEAD frame (stream 0). Called on the read loop: copy and return quickly.</summary>
    void OnHead(ReadOnlySpan<byte> payload);

    /// <summary>
    /// A WITNESS frame for an open stream, as the read loop receives it, before the call reads it (it may sit behind
    /// body bytes the caller has not read yet). Same rules.
    /// </summary>
    void OnWitness(ReadOnlySpan<byte> payload);

    /// <summary>A WITNESS frame for a stream this side already gave up (the caller went away). Same rules.</summary>
    void OnLateWitness(ReadOnlySpan<byte> payload);
}
