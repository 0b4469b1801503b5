using Gateway.Contracts.Errors;
using Gateway.Contracts.Rest;
using Gateway.Contracts.IO;

namespace Gateway.Bridges.Rest.Forwarding;

/// <summary>
/// The caller's request body on its way up: counted against the upstream's limit, and kept in a small buffer
/// while it fits, so a retry can send it again. Once more than the buffer has been read the body cannot be
/// replayed, and the call is no longer retried. Leaves the caller's stream open.
/// </summary>
sealed class RequestBody(Stream inner, long? limit, int replayCapacity)
{
    byte[]? _buffer;
    int _buffered;
    long _total;
    bool _overflowed;

    /// <summary>Told when the caller's next bytes are awaited and when they came (or the read failed).</summary>
    public UpstreamClocks? Clocks { get; set; }

    /// <summary>Everything read so far can be sent again.</summary>
    public bool CanReplay => !_overflowed;

    /// <summary>A stream for one attempt: what was read before is replayed from the buffer, the rest comes from the caller.</summary>
    public Stream OpenAttempt() => new AttemptStream(this);

    int ReadAt(long position, Span<byte> destination)
    {
        if (position < _buffered)
        {
            var n = (int)Math.Min(destination.Length, _buffered - position);
            _buffer.AsSpan((int)position, n).CopyTo(destination);
            return n;
        }
        if (position != _total) throw new InvalidOperationException("The request body cannot be replayed.");
        return -1; // caller must read from the inner stream
    }

    int Record(ReadOnlySpan<byte> read)
    {
        _total += read.Length;
        if (limit is { } max && _total > max)
            throw RequestBodyLimit.Exceeded(max);
        if (_overflowed || read.Length == 0) return read.Length;
        if (_buffered + read.Length > replayCapacity)
        {
            _overflowed = true;
            _buffer = null;
            return read.Length;
        }
        _buffer ??= new byte[replayCapacity];
        read.CopyTo(_buffer.AsSpan(_buffered));
        _buffered += read.Length;
        return read.Length;
    }

    sealed class AttemptStream(RequestBody body) : ReadOnlyStream
    {
        long _position;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> destination)
        {
            var n = body.ReadAt(_position, destination);
            if (n < 0)
            {
                body.Clocks?.WaitingForCaller();
                int read;
                try { read = body.Inner.Read(destination); }
                finally { body.Clocks?.CallerAnswered(); }
                n = body.Record(destination[..read]);
            }
            _position += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            var n = body.ReadAt(_position, destination.Span);
            if (n < 0)
            {
                body.Clocks?.WaitingForCaller();
                int read;
                try { read = await body.Inner.ReadAsync(destination, cancellationToken).ConfigureAwait(false); }
                finally { body.Clocks?.CallerAnswered(); }
                n = body.Record(destination.Span[..read]);
            }
            _position += n;
            return n;
        }

        public override long Position { get => _position; set => throw new NotSupportedException(); }
    }

    Stream Inner => inner;
}

