namespace Gateway.Contracts.IO;

/// <summary>
/// A read-only view of <paramref name="inner"/> that fails the read taking it past <paramref name="limit"/> bytes with the
/// exception <paramref name="exceeded"/> makes (never a silent cut): an upstream's answer past its limit, an object body
/// past <c>MaxObjectBytes</c>.
/// </summary>
public sealed class LimitedReadStream(Stream inner, long limit, Func<Exception> exceeded, bool leaveOpen = false)
    : DelegatingReadOnlyStream(inner, leaveOpen: leaveOpen)
{
    private long _read;

    public override int Read(byte[] buffer, int offset, int count) => Count(Inner.Read(buffer, offset, count));
    public override int Read(Span<byte> buffer) => Count(Inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    private int Count(int n)
    {
        _read += n;
        return _read <= limit ? n : throw exceeded();
    }
}
