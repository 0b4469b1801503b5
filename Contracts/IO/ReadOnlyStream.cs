namespace Gateway.Contracts.IO;

/// <summary>
/// Base of the gateway's read-only, forward-only streams: one place for the members such a stream does not
/// support. A subclass implements <see cref="ReadAsync(Memory{byte}, CancellationToken)"/> and, where it can, <see cref="Read(byte[], int, int)"/>.
/// </summary>
public abstract class ReadOnlyStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);
}

/// <summary>
/// A read-only view of <paramref name="inner"/> that reads straight through. <paramref name="onDispose"/> runs when it
/// is disposed (release an owner, cancel a producer); <paramref name="leaveOpen"/> keeps <paramref name="inner"/> open.
/// </summary>
public class DelegatingReadOnlyStream(Stream inner, Func<ValueTask>? onDispose = null, bool leaveOpen = false) : ReadOnlyStream
{
    private int _disposed;

    protected Stream Inner => inner;

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => inner.Read(buffer);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            if (onDispose is not null) await onDispose().ConfigureAwait(false);
            if (!leaveOpen) await inner.DisposeAsync().ConfigureAwait(false);
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            onDispose?.Invoke().AsTask().GetAwaiter().GetResult();
            if (!leaveOpen) inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
