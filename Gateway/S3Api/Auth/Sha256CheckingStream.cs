using System.Security.Cryptography;
using Gateway.Contracts.IO;
using Gateway.S3Api.Errors;

namespace Gateway.S3Api.Auth;

/// <summary>
/// Passes a signed payload through while hashing it. A body whose SHA-256 differs from the signed
/// x-amz-content-sha256 throws instead of handing on its last bytes (a store that stops reading at the declared
/// length never sees a complete body), so the store never commits it.
/// </summary>
internal sealed class Sha256CheckingStream(Stream inner, string expectedHex, long length, BodyFailure failure) : ReadOnlyStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _read;
    private bool _done;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_done) return 0;
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _hash.AppendData(buffer.Span[..n]);
        _read += n;
        if (n > 0 && _read != length) return n;
        _done = true;
        if (Convert.ToHexStringLower(_hash.GetHashAndReset()) != expectedHex) throw failure.Fail(S3Errors.ContentSha256Mismatch());
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}
