using Gateway.Contracts.IO;
using Gateway.S3Api.Auth;
using Gateway.S3Api.Errors;

namespace Gateway.S3Api.Operations.PostObject;

/// <summary>
/// The POST upload's file part on its way to the store, held to the policy's content-length-range while it streams:
/// more bytes than the maximum throw before they are handed on, fewer than the minimum throw instead of the end of
/// the body, so the store never sees a complete object and keeps nothing. A broken multipart body fails the same way.
/// </summary>
internal sealed class ContentLengthRangeStream(Stream inner, long min, long max, BodyFailure failure) : ReadOnlyStream
{
    private long _read;

    public long BytesRead => _read;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        try { n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false); }
        catch (InvalidDataException) { throw failure.Fail(PostForm.Malformed("The file part is not well-formed multipart/form-data.")); }
        catch (IOException) when (!cancellationToken.IsCancellationRequested) { throw failure.Fail(PostForm.Malformed("The body ended inside the file part.")); }
        _read += n;
        if (_read > max) throw failure.Fail(S3Errors.EntityTooLarge());
        if (n == 0 && _read < min) throw failure.Fail(new S3Exception("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed size."));
        return n;
    }
}
