using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Gateway.Contracts.IO;

namespace Gateway.Migrations;

/// <summary>
/// Reads the source object once: hashes every byte (SHA-256 and MD5) as it passes and, with a bandwidth
/// limiter, takes one token per byte before handing the bytes on.
/// </summary>
internal sealed class VerifyingReadStream(Stream inner, RateLimiter? bandwidth, int maxChunk) : ReadOnlyStream
{
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);

    public long BytesRead { get; private set; }

    public string Sha256Hex() => Convert.ToHexStringLower(_sha256.GetCurrentHash());
    public string Md5Base64() => Convert.ToBase64String(_md5.GetCurrentHash());

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (bandwidth is not null && buffer.Length > maxChunk) buffer = buffer[..maxChunk];
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n == 0) return 0;
        if (bandwidth is not null)
        {
            using var lease = await bandwidth.AcquireAsync(n, cancellationToken).ConfigureAwait(false);
            if (!lease.IsAcquired) throw new InvalidOperationException("bandwidth limiter refused a lease");
        }
        _sha256.AppendData(buffer.Span[..n]);
        _md5.AppendData(buffer.Span[..n]);
        BytesRead += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _sha256.Dispose(); _md5.Dispose(); inner.Dispose(); }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _sha256.Dispose();
        _md5.Dispose();
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
