using Gateway.Contracts.IO;

namespace Gateway.Bridges.Rest.Forwarding;

/// <summary>
/// An upstream's answer that fails when no byte came for <paramref name="idle"/> (nginx's proxy_read_timeout, YARP's
/// ActivityTimeout): the resilience timeouts end at the answer's head, and before session 44 an upstream that stalled
/// mid-body held the caller, a channel stream and a connection for as long as it liked. The failure is an IOException,
/// which breaks the answer as any upstream fault mid-body does (the caller's connection is aborted, never ended clean).
/// </summary>
sealed class IdleReadStream(Stream inner, TimeSpan idle, TimeProvider time, Func<Exception> stalled) : DelegatingReadOnlyStream(inner)
{
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override int Read(Span<byte> buffer)
    {
        var copy = new byte[buffer.Length];
        var n = Read(copy, 0, copy.Length);
        copy.AsSpan(0, n).CopyTo(buffer);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var timer = new CancellationTokenSource(idle, time);
        using var both = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token) : null;
        try
        {
            return await Inner.ReadAsync(buffer, both?.Token ?? timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw stalled();
        }
    }
}
