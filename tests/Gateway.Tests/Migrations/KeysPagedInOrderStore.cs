using Gateway.Contracts.ObjectStorage;

namespace Gateway.Tests.Migrations;

/// <summary>
/// A store that only lists: its keys, paged in UTF-16 code-unit order (as Azure and the Firebase Storage emulator page)
/// or in UTF-8 byte order (as S3), common prefixes counted within the page size as S3 counts them. Its page token is the
/// last name handed out, so a page listed again from a token is the same page.
/// </summary>
internal sealed class KeysPagedInOrderStore(string name, bool utf16ListingOrder, IEnumerable<string> keys) : IObjectStore
{
    private readonly SortedSet<string> _keys = new(keys, StringComparer.Ordinal);

    public string Name => name;
    public string Kind => "test";
    public StoreCapabilities Capabilities { get; } = new() { Utf16ListingOrder = utf16ListingOrder };

    public Task<ObjectListing> ListObjectsAsync(string bucket, ListObjectsRequest request, CancellationToken ct)
    {
        var order = Capabilities.ListingOrder();
        var prefix = request.Prefix ?? "";
        var names = _keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Select(k => RolledUp(k, prefix.Length, request.Delimiter))
            .Distinct()
            .Order(order)
            .SkipWhile(n => request.PageToken is not null && order.Compare(n, request.PageToken) <= 0)
            .ToList();
        var page = names.Take(request.PageSize).ToList();
        var objects = page.Where(_keys.Contains).Select(Info).ToList();
        var prefixes = page.Where(n => !_keys.Contains(n)).ToList();
        return Task.FromResult(new ObjectListing(objects, prefixes, names.Count > page.Count ? page[^1] : null));
    }

    private static string RolledUp(string key, int after, string? delimiter)
    {
        if (string.IsNullOrEmpty(delimiter)) return key;
        var at = key.IndexOf(delimiter, after, StringComparison.Ordinal);
        return at < 0 ? key : key[..(at + delimiter.Length)];
    }

    private static ObjectInfo Info(string key) => new() { Key = key, Size = 0, ETag = "\"e\"", LastModified = DateTimeOffset.UnixEpoch };

    public Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct) => throw new NotSupportedException();
    public Task CreateBucketAsync(string bucket, CancellationToken ct) => throw new NotSupportedException();
    public Task DeleteBucketAsync(string bucket, CancellationToken ct) => throw new NotSupportedException();
    public Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct) => throw new NotSupportedException();
    public Task<ObjectContent> GetObjectAsync(string bucket, string key, GetObjectOptions options, CancellationToken ct) => throw new NotSupportedException();
    public Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream content, PutObjectOptions options, CancellationToken ct) => throw new NotSupportedException();
    public Task DeleteObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct) => throw new NotSupportedException();
    public Task<ObjectInfo> CopyObjectAsync(CopyObjectRequest request, CancellationToken ct) => throw new NotSupportedException();
    public Task<ObjectInfo> ReplaceMetadataAsync(string bucket, string key, IReadOnlyDictionary<string, string> metadata, ObjectConditions conditions, CancellationToken ct) =>
        throw new NotSupportedException();
    public Task<StartedUpload> StartMultipartUploadAsync(string bucket, string key, MultipartUploadOptions options, CancellationToken ct) => throw new NotSupportedException();
    public Task<UploadedPart> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream content, UploadPartOptions options, CancellationToken ct) =>
        throw new NotSupportedException();
    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(string bucket, string key, string uploadId, CancellationToken ct) => throw new NotSupportedException();
    public Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, CompleteUploadRequest request, CancellationToken ct) =>
        throw new NotSupportedException();
    public Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct) => throw new NotSupportedException();
}
