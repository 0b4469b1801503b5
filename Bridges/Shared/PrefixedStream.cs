using Gateway.Contracts.IO;

namespace Gateway.Bridges.Shared;

/// <summary>Reads bytes already taken from a stream, then the rest of that stream; releases their buffer on dispose.</summary>
sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest, Action release) : ReadOnlyStream
{
    int _position;
    bool _released;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position < prefix.Length)
        {
            var n = Math.Min(buffer.Length, prefix.Length - _position);
            prefix.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
        return rest.Read(buffer);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position < prefix.Length) return ValueTask.FromResult(Read(buffer.Span));
        return rest.ReadAsync(buffer, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (!_released) { _released = true; release(); }
        base.Dispose(disposing);
    }

}
