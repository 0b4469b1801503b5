using Gateway.Channel.Families;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Migrations.Live;

/// <summary>
/// A store of kind <c>migrating</c>: one name services keep calling while a migration job fills <c>To</c> from
/// <c>From</c>. Reads try To, then From (then To once more, since the job writes To before a move deletes From);
/// writes go to To; deletes apply to both (From first, so an object a job is copying at that moment cannot
/// come back); listings merge both sides with To winning. After a cutover every call goes to To alone.
/// Both sides are the registry's facades, so each of their calls rides CTP-96 and is witnessed on its own.
/// </summary>
internal sealed class MigratingStore(string name, MigratingStoreOptions options, IServiceProvider services) : IObjectStore
{
    private IObjectStore? _from;
    private IObjectStore? _to;
    private StoreCutovers? _cutovers;

    public string Name => name;
    public string Kind => MigratingStoreFactory.KindName;
    public MigratingStoreOptions Options => options;

    // Resolved on first use: the registry holding this store cannot be asked for its parts while it is being built.
    private IObjectStore From => _from ??= Registry.Get(options.From!);
    private IObjectStore To => _to ??= Registry.Get(options.To!);
    private BridgeRegistry<IObjectStore> Registry => services.GetRequiredService<BridgeRegistry<IObjectStore>>();

    /// <summary>True once cut over (by configuration, or by POST /v1/stores/{name}/cutover): the store is plain To.</summary>
    public bool IsCutOver => options.CutOver || (_cutovers ??= services.GetRequiredService<StoreCutovers>()).Find(name) is not null;

    public StoreCapabilities Capabilities => IsCutOver ? To.Capabilities : Both(From.Capabilities, To.Capabilities);

    private static StoreCapabilities Both(StoreCapabilities from, StoreCapabilities to) => to with
    {
        ListBuckets = from.ListBuckets && to.ListBuckets,
        ServerSideCopy = true, // a copy inside this store is a server-side copy in To, or a stream from From to To
        Ranges = from.Ranges && to.Ranges,
        UserMetadata = from.UserMetadata && to.UserMetadata,
        ConditionalRequests = from.ConditionalRequests && to.ConditionalRequests,
        Hashes = from.Hashes.Intersect(to.Hashes).ToList(),
        MaxKeyBytes = Math.Min(from.MaxKeyBytes, to.MaxKeyBytes),
        DottedBucketNames = from.DottedBucketNames && to.DottedBucketNames,
        Utf16ListingOrder = MergedListing.InUtf16(from, to),
    };

    public async Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct)
    {
        if (IsCutOver) return await To.ListBucketsAsync(ct).ConfigureAwait(false);
        var from = await From.ListBucketsAsync(ct).ConfigureAwait(false);
        var to = await To.ListBucketsAsync(ct).ConfigureAwait(false);
        var byName = from.ToDictionary(b => b.Name, StringComparer.Ordinal);
        foreach (var b in to) byName[b.Name] = b;
        return byName.Values.OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
    }

    public Task CreateBucketAsync(string bucket, CancellationToken ct) => To.CreateBucketAsync(bucket, ct);

    public async Task DeleteBucketAsync(string bucket, CancellationToken ct)
    {
        if (IsCutOver) { await To.DeleteBucketAsync(bucket, ct).ConfigureAwait(false); return; }
        await OnBothAsync(s => s.DeleteBucketAsync(bucket, ct)).ConfigureAwait(false);
    }

    public Task<ObjectListing> ListObjectsAsync(string bucket, ListObjectsRequest request, CancellationToken ct) =>
        IsCutOver ? To.ListObjectsAsync(bucket, request, ct) : MergedListing.ListAsync(From, To, bucket, request, ct);

    public Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct) =>
        ReadAsync(s => s.HeadObjectAsync(bucket, key, conditions, ct));

    public Task<ObjectContent> GetObjectAsync(string bucket, string key, GetObjectOptions options, CancellationToken ct) =>
        ReadAsync(s => s.GetObjectAsync(bucket, key, options, ct));

    public async Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream content, PutObjectOptions options, CancellationToken ct)
    {
        if (IsCutOver || options.Conditions.IsEmpty) return await To.PutObjectAsync(bucket, key, content, options, ct).ConfigureAwait(false);
        // Conditions are about the object the caller sees: To's when To has it (To checks them atomically)...
        if (await HeadOrNullAsync(To, bucket, key, ct).ConfigureAwait(false) is not null)
            return await To.PutObjectAsync(bucket, key, content, options, ct).ConfigureAwait(false);
        // ...else From's, and the write to To is create-only, so a writer that reached To meanwhile is not overwritten.
        Preconditions.Check(await HeadOrNullAsync(From, bucket, key, ct).ConfigureAwait(false), options.Conditions, isRead: false);
        var createOnly = To.Capabilities.CreateOnly ? new ObjectConditions { IfNoneMatch = ["*"] } : ObjectConditions.None;
        return await To.PutObjectAsync(bucket, key, content, options with { Conditions = createOnly }, ct).ConfigureAwait(false);
    }

    public async Task DeleteObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct)
    {
        if (IsCutOver) { await To.DeleteObjectAsync(bucket, key, conditions, ct).ConfigureAwait(false); return; }
        if (conditions.IsEmpty)
        {
            await OnBothAsync(s => s.DeleteObjectAsync(bucket, key, ObjectConditions.None, ct)).ConfigureAwait(false);
            return;
        }
        // The conditions are checked against the object the caller sees; the older side goes with it.
        var atTo = await HeadOrNullAsync(To, bucket, key, ct).ConfigureAwait(false);
        if (atTo is not null)
        {
            Preconditions.Check(atTo, conditions, isRead: false);
            await IgnoringMissingBucketAsync(From.DeleteObjectAsync(bucket, key, ObjectConditions.None, ct)).ConfigureAwait(false);
            await To.DeleteObjectAsync(bucket, key, conditions, ct).ConfigureAwait(false);
            return;
        }
        Preconditions.Check(await HeadOrNullAsync(From, bucket, key, ct).ConfigureAwait(false), conditions, isRead: false);
        await From.DeleteObjectAsync(bucket, key, conditions, ct).ConfigureAwait(false);
        await IgnoringMissingBucketAsync(To.DeleteObjectAsync(bucket, key, ObjectConditions.None, ct)).ConfigureAwait(false);
    }

    public async Task<ObjectInfo> CopyObjectAsync(CopyObjectRequest request, CancellationToken ct)
    {
        if (IsCutOver) return await To.CopyObjectAsync(request, ct).ConfigureAwait(false);
        if (request.TargetConditions.IsEmpty && To.Capabilities.ServerSideCopy
            && await HeadOrNullAsync(To, request.SourceBucket, request.SourceKey, ct).ConfigureAwait(false) is not null)
        {
            return await To.CopyObjectAsync(request, ct).ConfigureAwait(false);
        }
        // The source lives in From (or the target's conditions need this store's view): stream it into To.
        await using var source = await GetObjectAsync(request.SourceBucket, request.SourceKey,
            new GetObjectOptions { Conditions = request.SourceConditions }, ct).ConfigureAwait(false);
        return await PutObjectAsync(request.TargetBucket, request.TargetKey, source.Body,
            request.StreamedCopyOptions(source.Info, source.Info.Size), ct).ConfigureAwait(false);
    }

    public async Task<ObjectInfo> ReplaceMetadataAsync(string bucket, string key, IReadOnlyDictionary<string, string> metadata, ObjectConditions conditions, CancellationToken ct)
    {
        if (IsCutOver || await HeadOrNullAsync(To, bucket, key, ct).ConfigureAwait(false) is not null)
            return await To.ReplaceMetadataAsync(bucket, key, metadata, conditions, ct).ConfigureAwait(false);
        // Only in From: the changed object is written to To, as every write during a migration is.
        await using var source = await From.GetObjectAsync(bucket, key, new GetObjectOptions(), ct).ConfigureAwait(false);
        Preconditions.Check(source.Info, conditions, isRead: false);
        return await To.PutObjectAsync(bucket, key, source.Body, new PutObjectOptions
        {
            ContentType = source.Info.StatedContentType(),
            Metadata = metadata,
            ContentHeaders = ContentHeaders.OrNull(source.Info.ContentHeaders?.Sendable()),
            ContentLength = source.Length,
            ContentMd5 = source.Info.ContentMd5,
        }, ct).ConfigureAwait(false);
    }

    // Multipart uploads are writes: every part goes to To, and the completion is checked as a put is.

    public Task<StartedUpload> StartMultipartUploadAsync(string bucket, string key, MultipartUploadOptions options, CancellationToken ct) =>
        To.StartMultipartUploadAsync(bucket, key, options, ct);

    public Task<UploadedPart> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream content, UploadPartOptions options,
        CancellationToken ct) => To.UploadPartAsync(bucket, key, uploadId, partNumber, content, options, ct);

    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(string bucket, string key, string uploadId, CancellationToken ct) =>
        To.ListPartsAsync(bucket, key, uploadId, ct);

    public async Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, CompleteUploadRequest request,
        CancellationToken ct)
    {
        if (IsCutOver || request.Conditions.IsEmpty
            || await HeadOrNullAsync(To, bucket, key, ct).ConfigureAwait(false) is not null)
            return await To.CompleteMultipartUploadAsync(bucket, key, uploadId, request, ct).ConfigureAwait(false);
        // As a put: the conditions are checked against From's object, and the completion in To is create-only.
        Preconditions.Check(await HeadOrNullAsync(From, bucket, key, ct).ConfigureAwait(false), request.Conditions, isRead: false);
        var createOnly = To.Capabilities.CreateOnly ? new ObjectConditions { IfNoneMatch = ["*"] } : ObjectConditions.None;
        return await To.CompleteMultipartUploadAsync(bucket, key, uploadId, request with { Conditions = createOnly }, ct).ConfigureAwait(false);
    }

    public Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct) =>
        To.AbortMultipartUploadAsync(bucket, key, uploadId, ct);

    /// <summary>To, then From, then To again: an object a job moves meanwhile reaches To before it leaves From.</summary>
    private async Task<T> ReadAsync<T>(Func<IObjectStore, Task<T>> read)
    {
        if (IsCutOver) return await read(To).ConfigureAwait(false);
        try { return await read(To).ConfigureAwait(false); }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { }
        try { return await read(From).ConfigureAwait(false); }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { }
        return await read(To).ConfigureAwait(false);
    }

    /// <summary>From first, then To; NotFound only when neither side has what was asked for.</summary>
    private async Task OnBothAsync(Func<IObjectStore, Task> action)
    {
        var missing = 0;
        GatewayException? notFound = null;
        foreach (var store in new[] { From, To })
        {
            try { await action(store).ConfigureAwait(false); }
            catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { missing++; notFound = e; }
        }
        if (missing == 2) throw notFound!;
    }

    private static async Task IgnoringMissingBucketAsync(Task delete)
    {
        try { await delete.ConfigureAwait(false); }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { }
    }

    private static async Task<ObjectInfo?> HeadOrNullAsync(IObjectStore store, string bucket, string key, CancellationToken ct)
    {
        try { return await store.HeadObjectAsync(bucket, key, ObjectConditions.None, ct).ConfigureAwait(false); }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { return null; }
    }
}
