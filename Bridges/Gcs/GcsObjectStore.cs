using Gateway.Bridges.Resilience;
using Gateway.Bridges.Shared;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Google.Cloud.Storage.V1;
using Polly;
using StorageObject = Google.Apis.Storage.v1.Data.Object;
using GetObjectOptions = Gateway.Contracts.ObjectStorage.GetObjectOptions;
using SdkGetObjectOptions = Google.Cloud.Storage.V1.GetObjectOptions;

namespace Gateway.Bridges.Gcs;

/// <summary>Google Cloud Storage behind the object-store contract, through Google.Cloud.Storage.V1.</summary>
public sealed partial class GcsObjectStore : IObjectStore
{
    readonly GcsStoreOptions _options;
    readonly ResiliencePipeline _pipeline;
    readonly GcsClient _client;
    readonly GcsUpload _upload;

    public GcsObjectStore(string name, GcsStoreOptions options, ResiliencePipeline pipeline)
    {
        Name = name;
        _options = options;
        _pipeline = pipeline;
        _client = new GcsClient(options, name);
        _upload = new GcsUpload(_client, pipeline, options, name);
        var hasProject = options.ProjectId is { Length: > 0 };
        Capabilities = new StoreCapabilities
        {
            // Listing and creating buckets name a project; without one the store serves the buckets it is given.
            ListBuckets = hasProject,
            CreateBuckets = hasProject,
            Hashes = ["md5", "crc32c"],
            MaxObjectBytes = 5L << 40,
            MultipartThresholdBytes = options.ChunkedUploadThresholdBytes,
            Utf16ListingOrder = !options.ServerPagesInTheKindsOrder,
        };
    }

    /// <summary>The SDK client as the bridge configures it (benchmarks use the same for the direct baseline).</summary>
    public static Task<StorageClient> CreateClientAsync(GcsStoreOptions options) => GcsClient.BuildAsync(options);

    public string Name { get; }
    public string Kind => GcsStoreFactory.KindName;
    public StoreCapabilities Capabilities { get; }

    public async Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct)
    {
        var project = RequireProject();
        return await Call(async (sdk, c) =>
        {
            var buckets = new List<BucketInfo>();
            await foreach (var b in sdk.ListBucketsAsync(project, new ListBucketsOptions { PageSize = 1000, RetryOptions = RetryOptions.Never }).WithCancellation(c))
                buckets.Add(new BucketInfo(b.Name, b.TimeCreatedDateTimeOffset));
            return buckets;
        }, true, "list buckets", ct);
    }

    public async Task CreateBucketAsync(string bucket, CancellationToken ct)
    {
        var project = RequireProject();
        await Call((sdk, c) => sdk.CreateBucketAsync(project, bucket, new CreateBucketOptions { RetryOptions = RetryOptions.Never }, c),
            false, $"create bucket '{bucket}'", ct);
    }

    public Task DeleteBucketAsync(string bucket, CancellationToken ct) =>
        Call(async (sdk, c) => { await sdk.DeleteBucketAsync(bucket, new DeleteBucketOptions { RetryOptions = RetryOptions.Never }, c); return true; },
            true, $"delete bucket '{bucket}'", ct);

    public async Task<ObjectListing> ListObjectsAsync(string bucket, ListObjectsRequest request, CancellationToken ct)
    {
        var options = new ListObjectsOptions
        {
            PageSize = Math.Clamp(request.PageSize, 1, 1000),
            Delimiter = string.IsNullOrEmpty(request.Delimiter) ? null : request.Delimiter,
            PageToken = string.IsNullOrEmpty(request.PageToken) ? null : PageTokens.Unwrap("gs", request.PageToken),
            RetryOptions = RetryOptions.Never,
        };
        var prefix = string.IsNullOrEmpty(request.Prefix) ? null : request.Prefix;
        var page = await Call(async (sdk, c) =>
        {
            // One raw response is exactly one page of the JSON API: items, prefixes and the next token together.
            await using var pages = sdk.ListObjectsAsync(bucket, prefix, options).AsRawResponses().GetAsyncEnumerator(c);
            return await pages.MoveNextAsync() ? pages.Current : null;
        }, true, $"list objects in '{bucket}'", ct);
        var objects = page?.Items?.Select(o => GcsObject.From(o).Info).ToList() ?? [];
        var prefixes = page?.Prefixes?.ToList() ?? [];
        var next = page?.NextPageToken is { Length: > 0 } token ? PageTokens.Wrap("gs", token) : null;
        return new ObjectListing(objects, prefixes, next);
    }

    public async Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct) =>
        (await HeadCheckedAsync(bucket, key, conditions, ct)).Info;

    async Task<GcsObject> HeadCheckedAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct)
    {
        var current = await TryHeadAsync(bucket, key, ct);
        Preconditions.CheckRead(current?.Info, conditions, () => NotFound(bucket, key));
        return current!;
    }

    public async Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream content, PutObjectOptions options, CancellationToken ct)
    {
        GcsPin? pin = null;
        if (!options.Conditions.IsEmpty)
        {
            var current = await TryHeadAsync(bucket, key, ct);
            Preconditions.Check(current?.Info, options.Conditions, isRead: false);
            // The service enforces the same condition atomically.
            pin = GcsPin.For(current);
        }
        return await _upload.PutAsync(bucket, key, content, options, pin, ct);
    }

    public async Task DeleteObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct)
    {
        var delete = new DeleteObjectOptions { RetryOptions = RetryOptions.Never };
        if (!conditions.IsEmpty)
        {
            var current = await TryHeadAsync(bucket, key, ct);
            Preconditions.Check(current?.Info, conditions, isRead: false);
            if (current is null) return;
            delete.IfGenerationMatch = current.Generation;
            delete.IfMetagenerationMatch = current.Metageneration;
        }
        try
        {
            await Call(async (sdk, c) => { await sdk.DeleteObjectAsync(bucket, key, delete, c); return true; }, true, $"delete '{bucket}/{key}'", ct);
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound && conditions.IsEmpty)
        {
            // Deleting what is already gone succeeds.
        }
    }

    public async Task<ObjectInfo> CopyObjectAsync(CopyObjectRequest request, CancellationToken ct)
    {
        request.RejectSourceParts("GCS");
        return await PinnedCopy.RunAsync(() => TryCopyAsync(request, ct), $"GCS store '{Name}'", request);
    }

    /// <summary>The copy made, or null when the rewrite was refused because the source changed after it was read.</summary>
    async Task<ObjectInfo?> TryCopyAsync(CopyObjectRequest request, CancellationToken ct)
    {
        var source = await TryHeadAsync(request.SourceBucket, request.SourceKey, ct) ?? throw NotFound(request.SourceBucket, request.SourceKey);
        Preconditions.Check(source.Info, request.SourceConditions, isRead: false);
        // CopyObjectAsync runs the rewrite operation, calling again with the rewrite token until the service is done.
        var copy = new CopyObjectOptions
        {
            IfSourceGenerationMatch = source.Generation,
            IfSourceMetagenerationMatch = source.Metageneration,
            RetryOptions = RetryOptions.Never,
        };
        if (!request.TargetConditions.IsEmpty)
        {
            var target = await TryHeadAsync(request.TargetBucket, request.TargetKey, ct);
            Preconditions.Check(target?.Info, request.TargetConditions, isRead: false);
            var pin = GcsPin.For(target);
            copy.IfGenerationMatch = pin.Generation;
            copy.IfMetagenerationMatch = pin.Metageneration;
        }
        if (request.MetadataDirective == MetadataDirective.Replace)
        {
            copy.ExtraMetadata = GcsObject.WithHeaders(new StorageObject
            {
                ContentType = request.ContentType ?? source.Info.ContentType,
                Metadata = GcsObject.Metadata(request.Metadata, request.ContentHeaders),
            }, request.ContentHeaders, clear: true);
        }
        try
        {
            var copied = await Call((sdk, c) => sdk.CopyObjectAsync(request.SourceBucket, request.SourceKey, request.TargetBucket, request.TargetKey, copy, c),
                true, $"copy '{request.SourceBucket}/{request.SourceKey}'", ct);
            return GcsObject.From(copied).Info;
        }
        catch (GatewayException e) when (e.Code == ErrorCode.PreconditionFailed)
        {
            // The target's pin may be what failed (a create-only copy whose target appeared): that 412 is the caller's.
            if (await PinnedCopy.RefusalIsCallersAsync(TryHeadAsync(request.SourceBucket, request.SourceKey, ct),
                    reread => reread.Generation == source.Generation && reread.Metageneration == source.Metageneration,
                    () => NotFound(request.SourceBucket, request.SourceKey))) throw;
            return null;
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound)
        {
            throw await PinnedCopy.NotFoundAsync(TryHeadAsync(request.SourceBucket, request.SourceKey, ct), $"GCS store '{Name}'", request, e);
        }
    }

    /// <summary>A rewrite onto itself, pinned to the version read: with the same location and class GCS moves no data.</summary>
    public Task<ObjectInfo> ReplaceMetadataAsync(string bucket, string key, IReadOnlyDictionary<string, string> metadata, ObjectConditions conditions, CancellationToken ct) =>
        this.ReplaceMetadataByCopyAsync(bucket, key, metadata, conditions, ct);

    async Task<GcsObject?> TryHeadAsync(string bucket, string key, CancellationToken ct)
    {
        try
        {
            var o = await Call((sdk, c) => sdk.GetObjectAsync(bucket, key, new SdkGetObjectOptions { RetryOptions = RetryOptions.Never }, c), true, $"head '{bucket}/{key}'", ct);
            return GcsObject.From(o);
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>One SDK call inside the bridge's pipeline (the SDK's own retries are off); failures become gateway errors.</summary>
    async Task<T> Call<T>(Func<StorageClient, CancellationToken, Task<T>> call, bool idempotent, string operation, CancellationToken ct)
    {
        var sdk = await _client.GetAsync();
        return await _pipeline.ExecuteCallAsync(async c =>
        {
            try
            {
                return await call(sdk, c);
            }
            catch (Exception e) when (GcsErrors.Translate(e, Name, operation) is { } translated && translated != e)
            {
                throw translated;
            }
        }, idempotent, ct);
    }

    string RequireProject() => _options.ProjectId is { Length: > 0 } project ? project
        : throw new GatewayException(ErrorCode.NotSupported, $"GCS store '{Name}' has no ProjectId setting, which listing and creating buckets need.");

    GatewayException NotFound(string bucket, string key) => new(ErrorCode.NotFound, $"GCS store '{Name}': object '{bucket}/{key}' not found.");
}
