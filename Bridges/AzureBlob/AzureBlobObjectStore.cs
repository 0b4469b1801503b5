using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Gateway.Bridges.Resilience;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Polly;

namespace Gateway.Bridges.AzureBlob;

/// <summary>Azure Blob Storage behind the object-store contract: containers are buckets, block blobs are objects.</summary>
public sealed partial class AzureBlobObjectStore : IObjectStore
{
    readonly AzureBlobStoreOptions _options;
    readonly ResiliencePipeline _pipeline;
    readonly BlobServiceClient _service;
    readonly Func<Uri, BlockBlobClient>? _blobAt;

    public AzureBlobObjectStore(string name, AzureBlobStoreOptions options, ResiliencePipeline pipeline)
    {
        Name = name;
        _options = options;
        _pipeline = pipeline;
        _service = CreateClient(options);
        _blobAt = BlobFactory(options);
        Capabilities = new StoreCapabilities
        {
            Hashes = ["md5"],
            MaxObjectBytes = (long)AzureBlockUpload.MaxBlockBytes * AzureBlockUpload.MaxBlocks, // with a declared length; unknown length: BlockSizeBytes × 50,000
            MultipartThresholdBytes = options.BlockUploadThresholdBytes,
            MultipartUploads = true,
            DottedBucketNames = false,
            // Azure lists "in alphabetical order", which is UTF-16 code-unit order (docs/cloud-storage.md, Listing order).
            Utf16ListingOrder = true,
            MinPartBytes = 1,
            // A part is held in memory while it is staged (one pooled buffer).
            MaxPartBytes = Math.Max(options.SingleUploadThresholdBytes, options.BlockSizeBytes),
        };
    }

    public string Name { get; }
    public string Kind => AzureBlobStoreFactory.KindName;
    public StoreCapabilities Capabilities { get; }

    /// <summary>The SDK client exactly as the bridge configures it (benchmarks use it for the direct baseline).</summary>
    public static BlobServiceClient CreateClient(AzureBlobStoreOptions options)
    {
        var clientOptions = new BlobClientOptions();
        // Retries belong to the bridge's Polly pipeline, which knows which calls are idempotent.
        clientOptions.Retry.MaxRetries = 0;
        if (options.EffectiveConnectionString is { Length: > 0 } connection) return new BlobServiceClient(connection, clientOptions);
        var uri = new Uri(options.ServiceUri!);
        if (!string.IsNullOrEmpty(options.AccountKey))
            return new BlobServiceClient(uri, new StorageSharedKeyCredential(options.AccountName, options.AccountKey), clientOptions);
        return new BlobServiceClient(uri, new AzureSasCredential(options.SasToken!), clientOptions);
    }

    /// <summary>Builds blob clients from a URL, for names the SDK would alter on its way into one.</summary>
    static Func<Uri, BlockBlobClient>? BlobFactory(AzureBlobStoreOptions options)
    {
        var (accountName, accountKey, sasToken) = options.EffectiveConnectionString is { Length: > 0 } connection
            ? AzureConnectionStrings.Credentials(connection)
            : (options.AccountName, options.AccountKey, options.SasToken);
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.MaxRetries = 0;
        if (!string.IsNullOrEmpty(accountName) && !string.IsNullOrEmpty(accountKey))
        {
            var key = new StorageSharedKeyCredential(accountName, accountKey);
            return uri => new BlockBlobClient(uri, key, clientOptions);
        }
        if (string.IsNullOrEmpty(sasToken)) return null;
        var sas = new AzureSasCredential(sasToken);
        return uri => new BlockBlobClient(uri, sas, clientOptions);
    }

    public async Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct) =>
        await Call(async c =>
        {
            var buckets = new List<BucketInfo>();
            await foreach (var container in _service.GetBlobContainersAsync(cancellationToken: c))
                buckets.Add(new BucketInfo(container.Name, container.Properties.LastModified));
            return buckets;
        }, true, "list buckets", ct);

    public Task CreateBucketAsync(string bucket, CancellationToken ct)
    {
        var container = Container(bucket);
        return Call(c => container.CreateAsync(cancellationToken: c), false, $"create bucket '{bucket}'", ct);
    }

    public async Task DeleteBucketAsync(string bucket, CancellationToken ct)
    {
        var container = Container(bucket);
        // Azure deletes non-empty containers; the contract only deletes empty buckets.
        var hasBlobs = await Call(async c =>
        {
            await foreach (var page in container.GetBlobsAsync(cancellationToken: c).AsPages(pageSizeHint: 1))
                return page.Values.Count > 0;
            return false;
        }, true, $"list bucket '{bucket}'", ct);
        if (hasBlobs) throw new GatewayException(ErrorCode.Conflict, $"Azure Blob store '{Name}': bucket '{bucket}' is not empty.");
        await Call(c => container.DeleteAsync(cancellationToken: c), true, $"delete bucket '{bucket}'", ct);
    }

    public async Task<ObjectListing> ListObjectsAsync(string bucket, ListObjectsRequest request, CancellationToken ct)
    {
        var container = Container(bucket);
        var marker = string.IsNullOrEmpty(request.PageToken) ? null : PageTokens.Unwrap("az", request.PageToken);
        var pageSize = Math.Clamp(request.PageSize, 1, 5000);
        var prefix = string.IsNullOrEmpty(request.Prefix) ? null : request.Prefix;
        return await Call(async c =>
        {
            var objects = new List<ObjectInfo>();
            var prefixes = new List<string>();
            string? next = null;
            if (string.IsNullOrEmpty(request.Delimiter))
            {
                await foreach (var page in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix, c).AsPages(marker, pageSize))
                {
                    objects.AddRange(page.Values.Select(b => FromItem(b)));
                    next = page.ContinuationToken;
                    break;
                }
            }
            else
            {
                await foreach (var page in container.GetBlobsByHierarchyAsync(BlobTraits.Metadata, BlobStates.None, request.Delimiter, prefix, c).AsPages(marker, pageSize))
                {
                    foreach (var item in page.Values)
                    {
                        if (item.IsPrefix) prefixes.Add(WholeDelimiter(item.Prefix, request.Delimiter));
                        else objects.Add(FromItem(item.Blob));
                    }
                    next = page.ContinuationToken;
                    break;
                }
            }
            return new ObjectListing(objects, prefixes, string.IsNullOrEmpty(next) ? null : PageTokens.Wrap("az", next));
        }, true, $"list objects in '{bucket}'", ct);
    }

    /// <summary>
    /// A BlobPrefix ends with the whole delimiter (Azure takes a string delimiter). Azurite 3 cuts it after the delimiter's
    /// first character ("xa" for "xab" with delimiter "ab") while grouping by the whole delimiter, so the cut one is completed.
    /// </summary>
    private static string WholeDelimiter(string prefix, string delimiter) =>
        delimiter.Length > 1 && !prefix.EndsWith(delimiter, StringComparison.Ordinal) && prefix.EndsWith(delimiter[0])
            ? prefix[..^1] + delimiter
            : prefix;

    public async Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct) =>
        Preconditions.CheckRead(await TryHeadAsync(bucket, key, ct), conditions, () => NotFound(bucket, key));

    public async Task<ObjectContent> GetObjectAsync(string bucket, string key, GetObjectOptions options, CancellationToken ct)
    {
        var blob = Blob(bucket, key);
        var download = new BlobDownloadOptions();
        ObjectInfo? current = null;
        // Azure has no suffix ranges and its own condition semantics: both are resolved against the current version first.
        if (!options.Conditions.IsEmpty || options.Range is { SuffixLength: not null })
        {
            current = await HeadObjectAsync(bucket, key, options.Conditions, ct);
            download.Conditions = new BlobRequestConditions { IfMatch = new ETag(current.ETag) };
        }
        if (options.Range is { } range)
        {
            if (current is not null)
            {
                var resolved = range.Resolve(current.Size) ?? throw Unsatisfiable(current.Size, null);
                download.Range = new HttpRange(resolved.Offset, resolved.Length);
            }
            // A last position of long.MaxValue (Range: bytes=0-9223372036854775807, or one past 64 bits) is "to the end": its length overflows.
            else download.Range = new HttpRange(range.From ?? 0, range.To is { } to and < long.MaxValue ? to - (range.From ?? 0) + 1 : null);
        }
        BlobDownloadStreamingResult result;
        try
        {
            result = await Call(async c => (await blob.DownloadStreamingAsync(download, c)).Value, true, $"get '{bucket}/{key}'", ct);
        }
        catch (GatewayException e) when (e.Code == ErrorCode.RangeNotSatisfiable)
        {
            throw Unsatisfiable((await TryHeadAsync(bucket, key, ct))?.Size, e);
        }
        var details = result.Details;
        var (metadata, expires) = AzureMetadataNames.Read(details.Metadata);
        var partial = ParseContentRange(details.ContentRange);
        if (partial is null && options.Range is not null)
        {
            // "bytes=0-" is HttpRange(0, null), which the SDK sends as no range at all: the service answers the whole blob.
            // It is still the range asked for: 206 over all of it, as the other stores answer, or 416 for an empty blob.
            if (details.ContentLength == 0)
            {
                result.Dispose();
                throw Unsatisfiable(0, null);
            }
            partial = (0, details.ContentLength, details.ContentLength);
        }
        if (partial is { } answered && (answered.Length <= 0 || answered.Offset >= answered.Total))
        {
            // A range starting at or past the end is unsatisfiable, whatever status the service chose for it.
            result.Dispose();
            throw Unsatisfiable(answered.Total, null);
        }
        var info = new ObjectInfo
        {
            Key = key,
            Size = partial?.Total ?? details.ContentLength,
            ETag = Preconditions.Quote(details.ETag.ToString()),
            LastModified = details.LastModified,
            ContentType = details.ContentType ?? "application/octet-stream",
            ContentMd5 = details.BlobContentHash is { Length: > 0 } whole ? Convert.ToBase64String(whole)
                : partial is null && details.ContentHash is { Length: > 0 } hash ? Convert.ToBase64String(hash) : null,
            Metadata = metadata,
            ContentHeaders = ReadHeaders(details.CacheControl, details.ContentDisposition, details.ContentEncoding, details.ContentLanguage, expires),
        };
        return partial is { } p
            ? new ObjectContent(info, result.Content, p.Offset, p.Length, isPartial: true)
            : new ObjectContent(info, result.Content, 0, details.ContentLength, isPartial: false);
    }

    public async Task DeleteObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct)
    {
        if (!conditions.IsEmpty)
            Preconditions.Check(await TryHeadAsync(bucket, key, ct), conditions, isRead: false);
        var blob = Blob(bucket, key);
        // A missing blob is success; a missing container is not (DeleteIfExists would take both for success).
        await Call(async c =>
        {
            try { return (await blob.DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, WriteConditions(conditions), c)).Status; }
            catch (RequestFailedException e) when (e.ErrorCode == "BlobNotFound") { return e.Status; }
        }, true, $"delete '{bucket}/{key}'", ct);
    }

    /// <summary>Set Blob Metadata, pinned to the version read: the blob's bytes and properties (Content-MD5 included) stay.</summary>
    public async Task<ObjectInfo> ReplaceMetadataAsync(string bucket, string key, IReadOnlyDictionary<string, string> metadata, ObjectConditions conditions, CancellationToken ct)
    {
        var current = await TryHeadAsync(bucket, key, ct) ?? throw NotFound(bucket, key);
        Preconditions.Check(current, conditions, isRead: false);
        // Expires lives among the stored metadata entries (Azure has no such property): kept as it was.
        var stored = AzureMetadataNames.Stored(metadata, current.ContentHeaders);
        await Call(c => Blob(bucket, key).SetMetadataAsync(stored, new BlobRequestConditions { IfMatch = new ETag(current.ETag) }, c), true,
            $"set the metadata of '{bucket}/{key}'", ct);
        return await TryHeadAsync(bucket, key, ct) ?? throw NotFound(bucket, key);
    }

    BlobContainerClient Container(string bucket)
    {
        // Container names have no '.'; refused here, before Azure is asked (the gateway checks the capability too).
        ObjectNames.ValidateBucket(bucket, Capabilities);
        return _service.GetBlobContainerClient(bucket);
    }

    BlockBlobClient Blob(string bucket, string key)
    {
        var container = Container(bucket);
        // Azure (and Azurite) read a backslash in a blob's name as '/': a\b would be the blob a/b, another key. Refused, never
        // written or read under the other name.
        if (key.Contains('\\'))
            throw new GatewayException(ErrorCode.BadRequest, $"Azure Blob store '{Name}' cannot hold keys with '\\' (Azure reads it as '/').");
        if (!key.EndsWith('/')) return container.GetBlockBlobClient(key);
        // Without a credential of its own the SDK's client would name the blob without its trailing '/': another key,
        // so a write of "dir/" would replace "dir". Refused instead, before Azure is asked.
        if (_blobAt is null)
            throw new GatewayException(ErrorCode.NotImplemented,
                $"Azure Blob store '{Name}': a key ending in '/' needs an account key or SAS credential (its connection string has neither).");
        // The SDK drops a trailing '/' from a blob name it puts into a URL; spelled %2F, the service keeps it.
        var path = string.Join('/', key[..^1].Split('/').Select(Uri.EscapeDataString)) + "%2F";
        // A SAS connection string leaves its token in the container's URI; the credential carries it instead.
        var containerUri = new UriBuilder(container.Uri) { Query = string.Empty }.Uri.AbsoluteUri.TrimEnd('/');
        return _blobAt(new Uri(containerUri + "/" + path));
    }

    async Task<ObjectInfo?> TryHeadAsync(string bucket, string key, CancellationToken ct)
    {
        var blob = Blob(bucket, key);
        try
        {
            var p = await Call(async c => (await blob.GetPropertiesAsync(cancellationToken: c)).Value, true, $"head '{bucket}/{key}'", ct);
            var (metadata, expires) = AzureMetadataNames.Read(p.Metadata);
            return new ObjectInfo
            {
                Key = key,
                Size = p.ContentLength,
                ETag = Preconditions.Quote(p.ETag.ToString()),
                LastModified = p.LastModified,
                ContentType = p.ContentType ?? "application/octet-stream",
                ContentMd5 = p.ContentHash is { Length: > 0 } hash ? Convert.ToBase64String(hash) : null,
                Metadata = metadata,
                ContentHeaders = ReadHeaders(p.CacheControl, p.ContentDisposition, p.ContentEncoding, p.ContentLanguage, expires),
            };
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// A listed blob, with its metadata as a HEAD answers it (listings ask for it): an entry such as the S3 front door's
    /// multipart ETag must read the same in a listing as in a HEAD, or a client comparing them (s3cmd sync) sees a change.
    /// </summary>
    static ObjectInfo FromItem(BlobItem b)
    {
        var (metadata, expires) = AzureMetadataNames.Read(b.Metadata);
        return new ObjectInfo
        {
            Key = b.Name,
            Size = b.Properties.ContentLength ?? 0,
            ETag = Preconditions.Quote(b.Properties.ETag?.ToString() ?? ""),
            LastModified = b.Properties.LastModified ?? DateTimeOffset.UnixEpoch,
            ContentType = b.Properties.ContentType ?? "application/octet-stream",
            ContentMd5 = b.Properties.ContentHash is { Length: > 0 } hash ? Convert.ToBase64String(hash) : null,
            Metadata = metadata,
            ContentHeaders = ReadHeaders(b.Properties.CacheControl, b.Properties.ContentDisposition, b.Properties.ContentEncoding, b.Properties.ContentLanguage, expires),
        };
    }

    internal static BlobHttpHeaders HttpHeaders(string contentType, byte[]? md5, ContentHeaders? headers) => new()
    {
        ContentType = contentType,
        ContentHash = md5,
        CacheControl = headers?.CacheControl,
        ContentDisposition = headers?.ContentDisposition,
        ContentEncoding = headers?.ContentEncoding,
        ContentLanguage = headers?.ContentLanguage,
    };

    static ContentHeaders? ReadHeaders(string? cacheControl, string? disposition, string? encoding, string? language, string? expires)
    {
        static string? Set(string? v) => string.IsNullOrEmpty(v) ? null : v;
        return ContentHeaders.OrNull(new ContentHeaders
        {
            CacheControl = Set(cacheControl),
            ContentDisposition = Set(disposition),
            ContentEncoding = Set(encoding),
            ContentLanguage = Set(language),
            Expires = Set(expires),
        });
    }

    internal static BlobRequestConditions? WriteConditions(ObjectConditions conditions)
    {
        // Azure enforces these atomically; the HEAD check before covers lists of several ETags.
        var result = new BlobRequestConditions();
        var any = false;
        if (conditions.IfNoneMatch is ["*"]) { result.IfNoneMatch = ETag.All; any = true; }
        if (conditions.IfMatch is [var single]) { result.IfMatch = single == "*" ? ETag.All : new ETag(single); any = true; }
        return any ? result : null;
    }

    static (long Offset, long Length, long Total)? ParseContentRange(string? header)
    {
        // "bytes first-last/total"
        if (string.IsNullOrEmpty(header) || !header.StartsWith("bytes ", StringComparison.OrdinalIgnoreCase)) return null;
        var spec = header[6..];
        var dash = spec.IndexOf('-');
        var slash = spec.IndexOf('/');
        if (dash < 0 || slash < dash) return null;
        if (!long.TryParse(spec[..dash], out var first) || !long.TryParse(spec[(dash + 1)..slash], out var last) || !long.TryParse(spec[(slash + 1)..], out var total))
            return null;
        return (first, last - first + 1, total);
    }

    internal static Dictionary<string, string> Lowered(IReadOnlyDictionary<string, string> metadata) =>
        metadata.ToDictionary(kv => kv.Key.ToLowerInvariant(), kv => kv.Value, StringComparer.Ordinal);

    internal Task<T> Call<T>(Func<CancellationToken, Task<T>> call, bool idempotent, string operation, CancellationToken ct) =>
        AzureCall.Run(_pipeline, Name, call, idempotent, operation, ct);

    GatewayException NotFound(string bucket, string key) => new(ErrorCode.NotFound, $"Azure Blob store '{Name}': object '{bucket}/{key}' not found.");

    static GatewayException Unsatisfiable(long? size, Exception? inner) =>
        new(ErrorCode.RangeNotSatisfiable, "The range is not satisfiable for this object.", inner) { Extensions = new Dictionary<string, object?> { ["size"] = size } };

    internal static GatewayException BadDigest() => new(ErrorCode.BadDigest, "The body does not match its Content-MD5; nothing was stored.");
}

static class AzureCall
{
    public static async Task<T> Run<T>(ResiliencePipeline pipeline, string store, Func<CancellationToken, Task<T>> call, bool idempotent, string operation, CancellationToken ct) =>
        await pipeline.ExecuteCallAsync(async c =>
        {
            try { return await call(c); }
            catch (RequestFailedException e) { throw AzureErrors.Translate(e, store, operation); }
            // The SDK reads an error answer's XML body to build its exception, and fails on an error with no body.
            catch (System.Xml.XmlException e) { throw AzureErrors.Unreadable(store, operation, e); }
        }, idempotent, ct);
}
