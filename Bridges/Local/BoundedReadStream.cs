using System.Runtime.CompilerServices;
using Gateway.Contracts.IO;

namespace Gateway.Bridges.Local;

/// <summary>
/// A read-only view of <c>length</c> bytes of an inner stream, starting where it is positioned. An inner stream that
/// ends before <c>length</c> (an object file truncated under the reader) is an error, never a short body.
/// </summary>
internal sealed class BoundedReadStream(Stream inner, long length) : DelegatingReadOnlyStream(inner)
{
    private readonly long _length = length;
    private long _remaining = length;

    public override long Length => _length;
    public override long Position { get => _length - _remaining; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0) return 0;
        var n = Inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        return Consumed(n);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining <= 0) return 0;
        var n = await Inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        return Consumed(n);
    }

    private int Consumed(int n)
    {
        if (n == 0) throw new IOException($"The object's data ended {_remaining} bytes before its recorded length.");
        _remaining -= n;
        return n;
    }
}
