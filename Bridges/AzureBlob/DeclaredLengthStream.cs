using Gateway.Contracts.IO;

namespace Gateway.Bridges.AzureBlob;

/// <summary>
/// A forward-only body shown to the Azure SDK as the seekable stream of its declared length that a single Put Blob needs:
/// the SDK takes the request's Content-Length from Length - Position and, before it sends, seeks to where the body
/// starts. Only a seek to the current position is allowed, so the body can be sent once and never replayed (the SDK's
/// retries are off; the bridge makes one attempt). Reads stop at the declared length.
/// </summary>
sealed class DeclaredLengthStream(Stream inner, long length) : ReadOnlyStream
{
    long _position;

    public override bool CanSeek => true;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        if (target != _position) throw new NotSupportedException("A streamed request body cannot be replayed.");
        return _position;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, length - _position)], cancellationToken);
        _position += n;
        return n;
    }
}
