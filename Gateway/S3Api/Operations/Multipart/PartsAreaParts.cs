using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Routing;

namespace Gateway.S3Api.Operations.Multipart;

/// <summary>
/// The fallback for stores without native multipart uploads (GCS; any store whose MultipartUploads capability is off):
/// each part is an ordinary object under <c>.s3-uploads/{uploadId}/part-NNNNN</c>, an atomic store write, so an upload
/// survives a restart. Completion composes the parts inside a store that can (<see cref="StoreCapabilities.ComposeParts"/>)
/// and otherwise streams them, in order, through the gateway into one store write; the parts are removed afterwards.
/// </summary>
internal sealed class PartsAreaParts(S3Context c, UploadRecord record) : UploadParts(c, record)
{
    public override async Task<StoredPart> PutAsync(int number, Stream body, long length, string? contentMd5)
    {
        var t = C.Target;
        var key = MultipartMetadata.PartKey(Record.UploadId, number);
        var info = await t.Store.PutObjectAsync(t.Bucket, key, body, new PutObjectOptions { ContentMd5 = contentMd5, ContentLength = length }, C.Aborted);
        return ToStored(number, info) with { Key = key };
    }

    public override async Task<IReadOnlyDictionary<int, StoredPart>> ListAsync()
    {
        var t = C.Target;
        var parts = new Dictionary<int, StoredPart>();
        string? token = null;
        do
        {
            var page = await t.Store.ListObjectsAsync(t.Bucket, new ListObjectsRequest { Prefix = MultipartMetadata.PartPrefix(Record.UploadId), PageToken = token }, C.Aborted);
            foreach (var o in page.Objects)
                if (MultipartMetadata.PartNumberOf(o.Key) is { } n) parts[n] = ToStored(n, o);
            token = page.NextPageToken;
        } while (token is not null);
        return parts;
    }

    public override async Task CompleteAsync(IReadOnlyList<StoredPart> chosen, IEnumerable<StoredPart> held, IReadOnlyDictionary<string, string> added,
        ObjectConditions conditions, IReadOnlyList<string> checksumRecords)
    {
        var t = C.Target;
        // Each part's ETag as the store answers for the object itself (a listing's may be spelled differently, e.g. GCS's
        // emulator), so the If-Match each part is read with compares like with like.
        var sources = new List<CopySourcePart>(chosen.Count);
        foreach (var part in chosen)
            sources.Add(new CopySourcePart(part.Key!, (await t.Store.HeadObjectAsync(t.Bucket, part.Key!, ObjectConditions.None, C.Aborted)).ETag));
        var manifest = Record.Info;
        // The manifest's own reserved entries stay behind; the tags and storage class given at creation are the object's.
        var metadata = manifest.StatedMetadata().Where(kv => !MultipartMetadata.IsReserved(kv.Key) || kv.Key == Tagging.ObjectTags.MetadataKey || kv.Key == KeptStorageClass.MetadataKey)
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (name, value) in added) metadata[name] = value;
        if (!await ComposeAsync(sources, metadata, conditions))
        {
            await using var body = new ConcatenatedPartsStream(t.Store, t.Bucket, sources);
            await t.Store.PutObjectAsync(t.Bucket, Record.Key, body, new PutObjectOptions
            {
                ContentType = manifest.StatedContentType(),
                Metadata = metadata,
                ContentHeaders = manifest.ContentHeaders,
                ContentLength = chosen.Sum(p => p.Size),
                Conditions = conditions,
            }, C.Aborted);
        }
        await DropAsync(held, checksumRecords);
    }

    /// <summary>
    /// Where the store composes (the local store), the parts are concatenated inside it: one copy-object call on the
    /// channel instead of every byte crossing it twice more. False when the store cannot, when a feature the call needs
    /// is switched off, or when the call fell to a wrapper that does not know composing (it then fails on
    /// <see cref="CopyObjectRequest.ComposeGuard"/> having written nothing): the caller streams the parts instead, and a
    /// real precondition failure (a part or the target changed) fails there again with its own error.
    /// </summary>
    private async Task<bool> ComposeAsync(IReadOnlyList<CopySourcePart> parts, IReadOnlyDictionary<string, string> metadata, ObjectConditions conditions)
    {
        var t = C.Target;
        if (!t.Store.Capabilities.ComposeParts) return false;
        try
        {
            await t.Store.CopyObjectAsync(new CopyObjectRequest
            {
                SourceBucket = t.Bucket,
                SourceKey = MultipartMetadata.ManifestKey(Record.UploadId),
                SourceConditions = CopyObjectRequest.ComposeGuard,
                SourceParts = parts,
                TargetBucket = t.Bucket,
                TargetKey = Record.Key,
                TargetConditions = conditions,
                MetadataDirective = MetadataDirective.Replace,
                ContentType = Record.Info.ContentType,
                Metadata = metadata,
                ContentHeaders = Record.Info.ContentHeaders,
            }, C.Aborted);
            return true;
        }
        catch (GatewayException e) when (e.Code is ErrorCode.PreconditionFailed or ErrorCode.NotModified or ErrorCode.NotSupported or ErrorCode.NotImplemented)
        {
            return false;
        }
    }

    public override async Task AbortAsync() => await DropAsync((await ListAsync()).Values, null);

    /// <summary>Deletes the part objects and then the record (with its part checksum records, listed when null).</summary>
    private async Task DropAsync(IEnumerable<StoredPart> held, IReadOnlyList<string>? checksumRecords)
    {
        var t = C.Target;
        foreach (var part in held) await t.Store.DeleteObjectAsync(t.Bucket, part.Key!, ObjectConditions.None, C.Aborted);
        await Record.DeleteAsync(C, checksumRecords);
    }

    private static StoredPart ToStored(int number, ObjectInfo info) =>
        new(number, S3ObjectHeaders.ETag(info), info.Size, info.LastModified, info.ETag, info.Key);
}
