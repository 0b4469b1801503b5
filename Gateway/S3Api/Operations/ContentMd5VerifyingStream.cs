using System.Security.Cryptography;
using Gateway.Contracts.IO;
using Gateway.S3Api.Auth;
using Gateway.S3Api.Errors;

namespace Gateway.S3Api.Operations;

/// <summary>
/// Content-MD5 checked at the front door while the body streams, for store calls that take no MD5 of their own (a
/// native upload-part). A mismatch throws before the last bytes are handed on, so the store keeps nothing (BadDigest).
/// </summary>
internal sealed class ContentMd5VerifyingStream(Stream inner, string expectedBase64, long length, BodyFailure failure) : ReadOnlyStream
{
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private long _read;
    private bool _done;

    public static Stream Wrap(Stream body, string? contentMd5, long length, BodyFailure failure) =>
        contentMd5 is null ? body : new ContentMd5VerifyingStream(body, contentMd5, length, failure);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_done) return 0;
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _md5.AppendData(buffer.Span[..n]);
        _read += n;
        if (n > 0 && _read != length) return n;
        _done = true;
        if (Convert.ToBase64String(_md5.GetHashAndReset()) != expectedBase64)
            throw failure.Fail(S3Errors.BadDigest("The Content-MD5 you specified did not match what we received."));
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _md5.Dispose();
        base.Dispose(disposing);
    }
}
