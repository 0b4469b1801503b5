using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Gateway.Contracts.IO;

namespace Gateway.Migrations;

/// <summary>
/// Reads the source object once: hashes every byte (SHA-256 and MD5) as it passes and, with a bandwidth
/// limiter, takes a token per byte asked for before it reads them (a short read is charged in full). The SHA-256 of a source body that already hashed its
/// bytes in this process (a channel response, checked against its witness: <see cref="IDeliveredSha256"/>) is taken
/// from it instead of a second pass over the same bytes; the view vouches for it in turn, so the channel sending these
/// bytes on does not hash them a third time.
/// </summary>
/// <param name="md5">
/// Whether to take the MD5 too: only <c>verify: checksum</c> compares it (with the source's and the target's stated
/// MD5, which is known only once the bytes have gone), so <c>size</c> and <c>none</c> skip that pass over every byte.
/// </param>
internal sealed class VerifyingReadStream(Stream inner, RateLimiter? bandwidth, int maxChunk, bool md5) : ReadOnlyStream, IDeliveredSha256
{
    private readonly IncrementalHash? _sha256 = Contracts.IO.DeliveredSha256.Vouches(inner) ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash? _md5 = md5 ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;

    public long BytesRead { get; private set; }

    public bool VouchesForSha256 => _sha256 is null;

    public (byte[] Sha256, long Length)? DeliveredSha256 =>
        _sha256 is null && Contracts.IO.DeliveredSha256.Of(inner) is { } delivered && delivered.Length == BytesRead ? delivered : null;

    /// <summary>
    /// The SHA-256 of every byte read; null when a source that vouches for it did not end where its reader stopped (the
    /// reader's size check fails then). Such a source knows it only at its end, so a reader that stopped after the last
    /// byte but before the end leaves one more read to be made here.
    /// </summary>
    public async ValueTask<string?> Sha256HexAsync(CancellationToken ct)
    {
        if (_sha256 is not null) return Convert.ToHexStringLower(_sha256.GetCurrentHash());
        if (DeliveredSha256 is null) await ReadAsync(new byte[1], ct).ConfigureAwait(false);
        return DeliveredSha256 is { } delivered ? Convert.ToHexStringLower(delivered.Sha256) : null;
    }

    /// <summary>The MD5 of every byte read; null when it was not asked for.</summary>
    public string? Md5Base64() => _md5 is null ? null : Convert.ToBase64String(_md5.GetCurrentHash());

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (bandwidth is not null)
        {
            if (buffer.Length > maxChunk) buffer = buffer[..maxChunk];
            // Taken before the read, so the job's readers together never run ahead of the bucket (a short read is
            // charged in full: the limit errs on the slow side).
            using var lease = await bandwidth.AcquireAsync(buffer.Length, cancellationToken).ConfigureAwait(false);
            if (!lease.IsAcquired) throw new InvalidOperationException("bandwidth limiter refused a lease");
        }
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n == 0) return 0;
        _sha256?.AppendData(buffer.Span[..n]);
        _md5?.AppendData(buffer.Span[..n]);
        BytesRead += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _sha256?.Dispose(); _md5?.Dispose(); inner.Dispose(); }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _sha256?.Dispose();
        _md5?.Dispose();
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
