using Gateway.Contracts.IO;

namespace Gateway.Bridges.S3;

/// <summary>
/// The bytes a caller asked for out of a wider answer: skips <c>skip</c> bytes of the inner stream, then reads
/// <c>length</c>. An inner stream that ends first is an error, never a short body.
/// </summary>
internal sealed class S3RangeWindowStream(Stream inner, long skip, long length) : DelegatingReadOnlyStream(inner)
{
    private long _skip = skip;
    private long _remaining = length;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0 || buffer.Length == 0) return 0;
        while (_skip > 0) Skipped(Inner.Read(buffer[..(int)Math.Min(buffer.Length, _skip)]));
        return Consumed(Inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]));
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining <= 0 || buffer.Length == 0) return 0;
        while (_skip > 0) Skipped(await Inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _skip)], cancellationToken).ConfigureAwait(false));
        return Consumed(await Inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false));
    }

    private void Skipped(int n)
    {
        if (n == 0) throw Short(_skip + _remaining);
        _skip -= n;
    }

    private int Consumed(int n)
    {
        if (n == 0) throw Short(_remaining);
        _remaining -= n;
        return n;
    }

    private static IOException Short(long missing) => new($"The store's answer ended {missing} bytes before the range asked of it.");
}
