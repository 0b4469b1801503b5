using Gateway.Channel.Witnesses;

namespace Gateway.Channel.Rpc;

/// <summary>
/// An answered bridge call. For a buffered answer the witness is already verified; for a streamed one
/// <see cref="Body"/> verifies it at its end and throws instead of ending when it fails.
/// </summary>
public sealed class ChannelCall : IAsyncDisposable
{
    private readonly Func<Witness?> _witness;

    internal ChannelCall(CallResponse response, Stream body, Func<Witness?> witness)
    {
        Response = response;
        Body = body;
        _witness = witness;
    }

    public CallResponse Response { get; }
    public Stream Body { get; }
    /// <summary>The verified witness, once the body reached its end.</summary>
    public Witness? Witness => _witness();

    public ValueTask DisposeAsync() => Body.DisposeAsync();
}
