using System.Security.Cryptography;
using Gateway.Contracts.IO;
using Gateway.S3Api.Errors;

namespace Gateway.S3Api.Auth;

/// <summary>
/// Passes a body through while hashing it. At the declared length a digest that differs from the expected one throws
/// instead of handing on the last bytes (a store that stops reading at the declared length never sees a complete
/// body), so the store keeps nothing: the signed x-amz-content-sha256, and Content-MD5 for store calls that take no
/// MD5 of their own (a native upload-part).
/// </summary>
internal sealed class DigestCheckingStream(Stream inner, HashAlgorithmName algorithm, Func<byte[], bool> matches, Func<S3Exception> mismatch,
    long length, BodyFailure failure) : ReadOnlyStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(algorithm);
    private long _read;
    private bool _done;

    public static Stream Sha256(Stream body, string expectedHex, long length, BodyFailure failure) =>
        new DigestCheckingStream(body, HashAlgorithmName.SHA256, d => Convert.ToHexStringLower(d) == expectedHex, S3Errors.ContentSha256Mismatch, length, failure);

    public static Stream ContentMd5(Stream body, string? expectedBase64, long length, BodyFailure failure) =>
        expectedBase64 is null ? body
            : new DigestCheckingStream(body, HashAlgorithmName.MD5, d => Convert.ToBase64String(d) == expectedBase64, () => S3Errors.BadDigest(), length, failure);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_done) return 0;
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _hash.AppendData(buffer.Span[..n]);
        _read += n;
        if (n > 0 && _read != length) return n;
        _done = true;
        if (!matches(_hash.GetHashAndReset())) throw failure.Fail(mismatch());
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}
