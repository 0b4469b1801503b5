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
}
