using Gateway.Contracts.Errors;

namespace Gateway.Bridges.Rest.Forwarding;

/// <summary>
/// The caller's request body on its way up: counts bytes against the upstream's limit and remembers whether
/// any was read, because a body that has been (partly) sent cannot be sent again by a retry.
/// Leaves the caller's stream open.
/// </summary>
sealed class RequestBodyStream(Stream inner, long? limit) : Stream
{
    long _read;

    public bool ReadStarted { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ReadStarted = true;
        return Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    int Count(int n)
    {
        ReadStarted = true;
        _read += n;
        if (limit is { } max && _read > max)
            throw new GatewayException(ErrorCode.PayloadTooLarge, $"The request body exceeds this upstream's limit of {max} bytes.");
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>An upstream's response body on its way down, cut off (with an error, never silently) past the limit.</summary>
sealed class ResponseBodyStream(Stream inner, long limit, Action onExceeded) : Stream
{
    long _read;

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    int Count(int n)
    {
        _read += n;
        if (_read > limit)
        {
            onExceeded();
            throw new IOException($"The upstream response body exceeds the limit of {limit} bytes.");
        }
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
