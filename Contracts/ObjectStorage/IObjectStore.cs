namespace Gateway.Contracts.ObjectStorage;

/// <summary>
/// One object store (Local, S3, Azure Blob, GCS...). Names reaching an implementation were
/// already validated by <see cref="ObjectNames"/>. Failures are <see cref="Errors.GatewayException"/>s
/// with the shared error codes; a store that lacks a feature says so in <see cref="Capabilities"/>
/// and throws <see cref="Errors.ErrorCode.NotSupported"/>.
/// </summary>
public interface IObjectStore
{
    string Name { get; }
    string Kind { get; }
    StoreCapabilities Capabilities { get; }

    Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct);
    /// <summary>Creates a bucket; Conflict when it exists.</summary>
    Task CreateBucketAsync(string bucket, CancellationToken ct);
    /// <summary>Deletes an empty bucket; NotFound when missing, Conflict when not empty.</summary>
    Task DeleteBucketAsync(string bucket, CancellationToken ct);

    Task<ObjectListing> ListObjectsAsync(string bucket, ListObjectsRequest request, CancellationToken ct);

    /// <summary>NotFound when missing; NotModified / PreconditionFailed per <paramref name="conditions"/>.</summary>
    Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct);

    /// <summary>Opens the object (or the requested range) for streaming. The caller disposes the result.</summary>
    Task<ObjectContent> GetObjectAsync(string bucket, string key, GetObjectOptions options, CancellationToken ct);

    /// <summary>
    /// Stores <paramref name="content"/> atomically: on any failure or cancellation nothing is left behind
    /// and a previous version stays intact. BadDigest when <see cref="PutObjectOptions.ContentMd5"/> does not match.
    /// </summary>
    Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream content, PutObjectOptions options, CancellationToken ct);

    /// <summary>Deletes an object. Deleting a missing object succeeds (idempotent) unless a condition is given.</summary>
    Task DeleteObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct);

    /// <summary>Server-side copy inside this store.</summary>
    Task<ObjectInfo> CopyObjectAsync(CopyObjectRequest request, CancellationToken ct);

    /// <summary>
    /// Replaces the object's user metadata and nothing else: bytes, MD5, content type and standard headers stay. A store
    /// that can change metadata alone does; one that cannot copies the object onto itself inside the store
    /// (<see cref="CopyObjectRequest.ReplacingMetadata"/>). NotFound when missing; PreconditionFailed per
    /// <paramref name="conditions"/> (checked as for a write), and when the object changes during the call.
    /// </summary>
    Task<ObjectInfo> ReplaceMetadataAsync(string bucket, string key, IReadOnlyDictionary<string, string> metadata, ObjectConditions conditions, CancellationToken ct);

    // Multipart uploads (stores with StoreCapabilities.MultipartUploads): parts sent one by one, kept by the store under
    // the upload's id, and made the object at once by a completion. Nothing is visible at the key before that.

    /// <summary>Starts an upload to <paramref name="key"/>; the object appears only when it is completed.</summary>
    Task<StartedUpload> StartMultipartUploadAsync(string bucket, string key, MultipartUploadOptions options, CancellationToken ct);

    /// <summary>
    /// Stores one part (a part sent again replaces the first). Parts other than the last must be at least the store's
    /// <see cref="StoreCapabilities.MinPartBytes"/>. NotFound when the upload is unknown.
    /// </summary>
    Task<UploadedPart> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream content, UploadPartOptions options, CancellationToken ct);

    /// <summary>The parts the store holds for the upload, by ascending number; NotFound when the upload is unknown.</summary>
    Task<IReadOnlyList<UploadedPart>> ListPartsAsync(string bucket, string key, string uploadId, CancellationToken ct);

    /// <summary>
    /// Makes the listed parts the object, atomically and under the request's conditions as a put. A part missing or not
    /// matching its ETag fails the completion (BadRequest) and leaves the target as it was.
    /// </summary>
    Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, CompleteUploadRequest request, CancellationToken ct);

    /// <summary>Drops an upload and its parts; aborting an unknown upload succeeds (idempotent).</summary>
    Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct);
}
