using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Auth;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;

namespace Gateway.S3Api.Operations.Multipart;

/// <summary>
/// An upload the store runs itself, through the family's multipart operations on the channel (witnessed and audited
/// as every call): the local store's crash-safe parts area, S3's multipart upload, Azure's staged blocks. No part is
/// an object; the store composes the object at completion, so no part byte crosses the channel again.
/// </summary>
internal sealed class NativeParts(S3Context c, UploadRecord record) : UploadParts(c, record)
{
    private string NativeId => Record.NativeId!;

    public override async Task<StoredPart> PutAsync(int number, Stream body, long length, string? contentMd5)
    {
        var t = C.Target;
        body = DigestCheckingStream.ContentMd5(body, contentMd5, length, C.BodyFailure);
        UploadedPart part;
        try { part = await t.Store.UploadPartAsync(t.Bucket, Record.Key, NativeId, number, body, new UploadPartOptions { ContentLength = length }, C.Aborted); }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { throw await GoneAsync(); }
        return ToStored(part, DateTimeOffset.UtcNow);
    }

    public override async Task<IReadOnlyDictionary<int, StoredPart>> ListAsync()
    {
        var t = C.Target;
        IReadOnlyList<UploadedPart> parts;
        try { parts = await t.Store.ListPartsAsync(t.Bucket, Record.Key, NativeId, C.Aborted); }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { throw await GoneAsync(); }
        return parts.ToDictionary(p => p.PartNumber, p => ToStored(p, null));
    }

    public override async Task CompleteAsync(IReadOnlyList<StoredPart> chosen, IEnumerable<StoredPart> held, IReadOnlyDictionary<string, string> added,
        ObjectConditions conditions, IReadOnlyList<string> checksumRecords)
    {
        var t = C.Target;
        try
        {
            await t.Store.CompleteMultipartUploadAsync(t.Bucket, Record.Key, NativeId, new CompleteUploadRequest
            {
                Parts = [.. chosen.Select(p => new CompletedPart(p.Number, p.StoreETag))],
                Conditions = conditions,
                Metadata = added,
            }, C.Aborted);
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { throw await GoneAsync(); }
        catch (GatewayException e) when (e.Code == ErrorCode.BadRequest)
        {
            // The parts were checked just before: one was sent again meanwhile.
            throw S3Errors.InvalidPart(e.Message);
        }
        await Record.DeleteAsync(C, checksumRecords);
    }

    public override async Task AbortAsync()
    {
        var t = C.Target;
        await t.Store.AbortMultipartUploadAsync(t.Bucket, Record.Key, NativeId, C.Aborted);
        await Record.DeleteAsync(C);
    }

    /// <summary>
    /// The store no longer has the upload its record names: a completion or abort the gateway did not live to finish (the
    /// record goes after the store's commit, so that a crash before it leaves an upload the client can still complete).
    /// The record goes now, so that ListMultipartUploads stops listing an upload no call can reach; the record's key is
    /// this upload id's alone, so a newer upload cannot lose its record to this.
    /// </summary>
    private async Task<S3Exception> GoneAsync()
    {
        var t = C.Target;
        try
        {
            // A store may say not found for another reason (the S3 bridge's NoSuchKey and NoSuchUpload are one code): the
            // record goes only when the store's own listing of the upload confirms it is gone.
            await t.Store.ListPartsAsync(t.Bucket, Record.Key, NativeId, C.Aborted);
            return S3Errors.NoSuchUpload();
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { }
        try { await Record.DeleteAsync(C); }
        catch (GatewayException) { } // the NoSuchUpload stands; a later call finds the record again and retries
        return S3Errors.NoSuchUpload();
    }

    /// <summary>S3's part ETag is the part's MD5 in hex, whatever identity the store gave it (Azure: the block id).</summary>
    private static StoredPart ToStored(UploadedPart part, DateTimeOffset? at)
    {
        Span<byte> digest = stackalloc byte[16];
        var s3ETag = part.ContentMd5 is { } md5 && Convert.TryFromBase64String(md5, digest, out var n) && n == 16
            ? $"\"{Convert.ToHexStringLower(digest)}\""
            : Preconditions.Quote(part.ETag);
        return new StoredPart(part.PartNumber, s3ETag, part.Size, at, part.ETag);
    }
}
