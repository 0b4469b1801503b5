using System.Text;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;

namespace Gateway.S3Api.Operations.Multipart;

/// <summary>
/// The front door's record of one upload, the object <c>.s3-uploads/{uploadId}/upload</c> in the target bucket: the
/// target key (metadata <see cref="MultipartMetadata.TargetKey"/>) and, for an upload the store runs natively, the
/// store's own upload id as the body (metadata <see cref="NativeFlag"/>). Without the flag it is a parts-area upload
/// and the record also holds the content type, metadata and headers the completed object gets.
/// The record is what makes an upload id known to the front door: the family has no listing of uploads (needed for
/// ListMultipartUploads) and Azure cannot tell an unknown upload id from one without parts (needed for NoSuchUpload).
/// </summary>
internal sealed record UploadRecord(string UploadId, string Key, ObjectInfo Info, string? NativeId)
{
    public const string NativeFlag = "gw_s3_native";

    /// <summary>The checksum algorithm the upload was created with (x-amz-checksum-algorithm, lower-case), kept in the record's metadata.</summary>
    public const string ChecksumAlgorithmKey = MultipartMetadata.ReservedPrefix + "checksum_algorithm";

    /// <summary>Its checksum type (x-amz-checksum-type); records written before FULL_OBJECT was built have none: COMPOSITE.</summary>
    public const string ChecksumTypeKey = MultipartMetadata.ReservedPrefix + "checksum_type";

    public bool IsNative => NativeId is not null;

    /// <summary>The upload's checksum, null when it was created without one.</summary>
    public UploadChecksum? Checksum =>
        Info.StatedMetadata().TryGetValue(ChecksumAlgorithmKey, out var algorithm) && ChecksumVerifyingStream.Algorithms.Contains(algorithm)
            ? new UploadChecksum(algorithm, Info.StatedMetadata().GetValueOrDefault(ChecksumTypeKey) == UploadChecksum.FullObject ? UploadChecksum.FullObject : UploadChecksum.Composite)
            : null;

    private static void Add(Dictionary<string, string> metadata, UploadChecksum? checksum)
    {
        if (checksum is null) return;
        metadata[ChecksumAlgorithmKey] = checksum.Algorithm;
        metadata[ChecksumTypeKey] = checksum.Type;
    }

    /// <summary>The record of <paramref name="uploadId"/>; NoSuchUpload when the id is unknown or belongs to another key.</summary>
    public static async Task<UploadRecord> ReadAsync(S3Context c, string uploadId, string key)
    {
        if (!MultipartMetadata.IsUploadId(uploadId)) throw S3Errors.NoSuchUpload();
        var t = c.Target;
        ObjectContent content;
        try { content = await t.Store.GetObjectAsync(t.Bucket, MultipartMetadata.ManifestKey(uploadId), new GetObjectOptions(), c.Aborted); }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound)
        {
            throw await c.BucketExistsAsync() ? S3Errors.NoSuchUpload() : S3Errors.NoSuchBucket();
        }
        await using (content)
        {
            var info = content.Info;
            if (!info.StatedMetadata().TryGetValue(MultipartMetadata.TargetKey, out var encoded) || MultipartMetadata.DecodeKey(encoded) != key)
                throw S3Errors.NoSuchUpload();
            if (!info.StatedMetadata().ContainsKey(NativeFlag)) return new UploadRecord(uploadId, key, info, null);
            if (content.Length is <= 0 or > MultipartNames.MaxUploadIdLength) throw S3Errors.NoSuchUpload();
            var bytes = new byte[content.Length];
            await content.Body.ReadExactlyAsync(bytes, c.Aborted);
            var nativeId = Encoding.ASCII.GetString(bytes);
            try { MultipartNames.ValidateUploadId(nativeId); }
            catch (GatewayException) { throw S3Errors.NoSuchUpload(); }
            return new UploadRecord(uploadId, key, info, nativeId);
        }
    }

    /// <summary>Records an upload the store runs natively under <paramref name="nativeId"/>.</summary>
    public static Task WriteNativeAsync(S3Context c, string uploadId, string key, string nativeId, UploadChecksum? checksum)
    {
        var t = c.Target;
        var body = Encoding.ASCII.GetBytes(nativeId);
        var metadata = new Dictionary<string, string> { [MultipartMetadata.TargetKey] = MultipartMetadata.EncodeKey(key), [NativeFlag] = "1" };
        Add(metadata, checksum);
        // The native upload carries the class to the object; the record answers it in ListParts and ListMultipartUploads.
        metadata = KeptStorageClass.With(metadata, KeptStorageClass.Asked(c.Request));
        return t.Store.PutObjectAsync(t.Bucket, MultipartMetadata.ManifestKey(uploadId), new MemoryStream(body, writable: false), new PutObjectOptions
        {
            ContentType = "application/octet-stream",
            Metadata = metadata,
            ContentLength = body.Length,
        }, c.Aborted);
    }

    /// <summary>Records a parts-area upload: the record carries what the completed object gets.</summary>
    public static Task WritePartsAreaAsync(S3Context c, string uploadId, string key, PutObjectOptions options, UploadChecksum? checksum)
    {
        var t = c.Target;
        var metadata = new Dictionary<string, string>(options.Metadata) { [MultipartMetadata.TargetKey] = MultipartMetadata.EncodeKey(key) };
        Add(metadata, checksum);
        return t.Store.PutObjectAsync(t.Bucket, MultipartMetadata.ManifestKey(uploadId), Stream.Null, new PutObjectOptions
        {
            ContentType = options.ContentType, Metadata = metadata, ContentHeaders = options.ContentHeaders, ContentLength = 0,
        }, c.Aborted);
    }

    /// <summary>
    /// Forgets the upload: its part checksums, then the record itself. Only an upload with a checksum has part checksum
    /// records; <paramref name="checksumRecords"/> are their keys when the caller listed them already.
    /// </summary>
    public async Task DeleteAsync(S3Context c, IReadOnlyList<string>? checksumRecords = null)
    {
        if (Checksum is not null) await PartChecksums.DropAsync(c, checksumRecords ?? await PartChecksums.ListAsync(c, UploadId));
        await c.Target.Store.DeleteObjectAsync(c.Target.Bucket, MultipartMetadata.ManifestKey(UploadId), ObjectConditions.None, c.Aborted);
    }
}
