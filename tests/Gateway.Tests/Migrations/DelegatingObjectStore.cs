using Gateway.Contracts.ObjectStorage;

namespace Gateway.Tests.Migrations;

/// <summary>A real store seen through a test's lens: every call goes to <see cref="Inner"/> unless a test overrides it.</summary>
internal abstract class DelegatingObjectStore(IObjectStore inner) : IObjectStore
{
    protected IObjectStore Inner => inner;
    public string Name => inner.Name;
    public string Kind => inner.Kind;
    public StoreCapabilities Capabilities => inner.Capabilities;
    public Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct) => inner.ListBucketsAsync(ct);
    public Task CreateBucketAsync(string bucket, CancellationToken ct) => inner.CreateBucketAsync(bucket, ct);
    public Task DeleteBucketAsync(string bucket, CancellationToken ct) => inner.DeleteBucketAsync(bucket, ct);
    public virtual Task<ObjectListing> ListObjectsAsync(string bucket, ListObjectsRequest request, CancellationToken ct) => inner.ListObjectsAsync(bucket, request, ct);
    public virtual Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct) => inner.HeadObjectAsync(bucket, key, conditions, ct);
    public virtual Task<ObjectContent> GetObjectAsync(string bucket, string key, GetObjectOptions options, CancellationToken ct) => inner.GetObjectAsync(bucket, key, options, ct);
    public Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream content, PutObjectOptions options, CancellationToken ct) =>
        inner.PutObjectAsync(bucket, key, content, options, ct);
    public Task DeleteObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct) => inner.DeleteObjectAsync(bucket, key, conditions, ct);
    public Task<ObjectInfo> CopyObjectAsync(CopyObjectRequest request, CancellationToken ct) => inner.CopyObjectAsync(request, ct);
    public Task<ObjectInfo> ReplaceMetadataAsync(string bucket, string key, IReadOnlyDictionary<string, string> metadata, ObjectConditions conditions, CancellationToken ct) =>
        inner.ReplaceMetadataAsync(bucket, key, metadata, conditions, ct);
    public Task<StartedUpload> StartMultipartUploadAsync(string bucket, string key, MultipartUploadOptions options, CancellationToken ct) =>
        inner.StartMultipartUploadAsync(bucket, key, options, ct);
    public virtual Task<UploadedPart> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream content, UploadPartOptions options, CancellationToken ct) =>
        inner.UploadPartAsync(bucket, key, uploadId, partNumber, content, options, ct);
    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(string bucket, string key, string uploadId, CancellationToken ct) => inner.ListPartsAsync(bucket, key, uploadId, ct);
    public Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, CompleteUploadRequest request, CancellationToken ct) =>
        inner.CompleteMultipartUploadAsync(bucket, key, uploadId, request, ct);
    public Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct) => inner.AbortMultipartUploadAsync(bucket, key, uploadId, ct);
}
