using System.Globalization;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Gateway.Bridges.Shared;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Bridges.AzureBlob;

/// <summary>
/// Copy Blob, as S3 copies: concurrent writers of one key each succeed and the last one wins. A request that rewrites or
/// deletes the target while this copy finishes is a later write, not a failure of this one; the follow-up calls that set
/// replaced metadata and headers are pinned to the blob this copy wrote, so they never land on another writer's blob.
/// </summary>
public sealed partial class AzureBlobObjectStore
{
    public Task<ObjectInfo> CopyObjectAsync(CopyObjectRequest request, CancellationToken ct)
    {
        request.RejectSourceParts("Azure Blob");
        return PinnedCopy.RunAsync(() => TryCopyAsync(request, ct), $"Azure Blob store '{Name}'", request);
    }

    /// <summary>The copy made, or null when Azure refused it because the source changed after it was read.</summary>
    async Task<ObjectInfo?> TryCopyAsync(CopyObjectRequest request, CancellationToken ct)
    {
        var source = await TryHeadAsync(request.SourceBucket, request.SourceKey, ct) ?? throw NotFound(request.SourceBucket, request.SourceKey);
        Preconditions.Check(source, request.SourceConditions, isRead: false);
        if (!request.TargetConditions.IsEmpty)
            Preconditions.Check(await TryHeadAsync(request.TargetBucket, request.TargetKey, ct), request.TargetConditions, isRead: false);

        var target = Blob(request.TargetBucket, request.TargetKey);
        var copy = new BlobCopyFromUriOptions
        {
            // Pinned to the version whose conditions were checked.
            SourceConditions = new BlobRequestConditions { IfMatch = new ETag(source.ETag) },
            DestinationConditions = WriteConditions(request.TargetConditions),
        };
        var replace = request.MetadataDirective == MetadataDirective.Replace;
        if (replace) copy.Metadata = AzureMetadataNames.Stored(request.Metadata ?? new Dictionary<string, string>(), request.ContentHeaders);
        var sourceUri = Blob(request.SourceBucket, request.SourceKey).Uri;
        string copyId;
        ETag? written;
        DateTimeOffset lastModified;
        bool done;
        try
        {
            (copyId, written, lastModified, done) = await Call(async c =>
            {
                var operation = await target.StartCopyFromUriAsync(sourceUri, copy, c);
                var headers = operation.GetRawResponse().Headers;
                var modified = headers.TryGetValue("Last-Modified", out var text)
                    ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
                    : DateTimeOffset.UtcNow;
                return (operation.Id, headers.ETag, modified, headers.TryGetValue("x-ms-copy-status", out var status) && status == "success");
            }, false, $"copy '{request.SourceBucket}/{request.SourceKey}'", ct);
        }
        catch (GatewayException e) when (e.Code == ErrorCode.PreconditionFailed)
        {
            // The target's conditions may be what failed: that 412 is the caller's.
            if (await PinnedCopy.RefusalIsCallersAsync(TryHeadAsync(request.SourceBucket, request.SourceKey, ct), reread => reread.ETag == source.ETag,
                    () => NotFound(request.SourceBucket, request.SourceKey))) throw;
            return null;
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound)
        {
            throw await PinnedCopy.NotFoundAsync(TryHeadAsync(request.SourceBucket, request.SourceKey, ct), $"Azure Blob store '{Name}'", request, e);
        }
        // Copies within an account finish at once; another (a cross-account store) is waited for.
        ETag? mine = done ? written : await AwaitCopyAsync(target, copyId, $"copy '{request.SourceBucket}/{request.SourceKey}'", ct);

        // A copy given no metadata takes the source's: replacing it with none is a second call.
        if (mine is { } clearFrom && replace && copy.Metadata is { Count: 0 })
            mine = await PinnedAsync(target, copyId, clearFrom, (conditions, c) => target.SetMetadataAsync(new Dictionary<string, string>(), conditions, c),
                $"clear the metadata of '{request.TargetBucket}/{request.TargetKey}'", ct);
        // The copy takes the source's properties; replaced ones are set afterwards (all at once: Azure sets them together).
        var contentType = request.ContentType ?? source.StatedContentType();
        var replacedHeaders = ContentHeaders.OrNull(request.ContentHeaders);
        var sameHeaders = (replacedHeaders?.CacheControl, replacedHeaders?.ContentDisposition, replacedHeaders?.ContentEncoding, replacedHeaders?.ContentLanguage)
            == (source.ContentHeaders?.CacheControl, source.ContentHeaders?.ContentDisposition, source.ContentHeaders?.ContentEncoding, source.ContentHeaders?.ContentLanguage);
        if (mine is { } headersFrom && replace && (contentType != source.ContentType || !sameHeaders))
        {
            var md5 = source.ContentMd5 is { } hash ? Convert.FromBase64String(hash) : null;
            mine = await PinnedAsync(target, copyId, headersFrom, (conditions, c) => target.SetHttpHeadersAsync(HttpHeaders(contentType, md5, replacedHeaders), conditions, c),
                $"set the headers of '{request.TargetBucket}/{request.TargetKey}'", ct);
        }

        if (mine is { } final && await TryHeadAsync(request.TargetBucket, request.TargetKey, ct) is { } now && now.ETag == Preconditions.Quote(final.ToString()))
            return now;
        // Rewritten or deleted by a later request: the answer describes the blob this copy wrote.
        return source with
        {
            Key = request.TargetKey,
            ETag = Preconditions.Quote((mine ?? written).ToString() ?? ""),
            LastModified = lastModified,
            ContentType = replace ? contentType : source.ContentType,
            Metadata = replace ? request.Metadata ?? new Dictionary<string, string>() : source.Metadata,
            ContentHeaders = replace ? replacedHeaders : source.ContentHeaders,
        };
    }

    /// <summary>The copied blob's ETag once the copy succeeded; null when a later request rewrote or deleted the target first.</summary>
    async Task<ETag?> AwaitCopyAsync(BlockBlobClient target, string copyId, string operation, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(_options.CopyTimeout);
        while (true)
        {
            var properties = await Call(async c =>
            {
                try { return (await target.GetPropertiesAsync(cancellationToken: c)).Value; }
                catch (RequestFailedException e) when (e.Status == 404) { return null; }
            }, true, operation, limit.Token);
            if (properties is null || properties.CopyId != copyId) return null;
            if (properties.CopyStatus == CopyStatus.Success) return properties.ETag;
            if (properties.CopyStatus != CopyStatus.Pending)
                throw new GatewayException(ErrorCode.Unavailable, $"Azure Blob store '{Name}': {operation} ended {properties.CopyStatus}: {properties.CopyStatusDescription}");
            await Task.Delay(TimeSpan.FromMilliseconds(500), limit.Token);
        }
    }

    /// <summary>
    /// A follow-up call on the blob this copy wrote (If-Match its ETag): its new ETag, or null when a later request replaced
    /// or deleted the blob. A 412 on a blob that still carries this copy's id (a retried attempt whose first try succeeded
    /// but whose answer was lost, or another request's metadata change) is the same blob: the call is made again on it.
    /// Set Blob Metadata keeps the copy id; Set Blob Properties (the headers, the last step) drops it, so a lost answer
    /// there still reads as a later writer's blob, and the answer then names the ETag from before the headers.
    /// </summary>
    async Task<ETag?> PinnedAsync(BlockBlobClient target, string copyId, ETag etag, Func<BlobRequestConditions, CancellationToken, Task<Response<BlobInfo>>> call,
        string operation, CancellationToken ct) =>
        await Call<ETag?>(async c =>
        {
            var pinned = etag;
            for (var attempt = 0; ; attempt++)
            {
                try { return (await call(new BlobRequestConditions { IfMatch = pinned }, c)).Value.ETag; }
                catch (RequestFailedException e) when (e.Status is 404) { return null; }
                catch (RequestFailedException e) when (e.Status is 412 && attempt < 3)
                {
                    BlobProperties now;
                    try { now = (await target.GetPropertiesAsync(cancellationToken: c)).Value; }
                    catch (RequestFailedException gone) when (gone.Status == 404) { return null; }
                    if (now.CopyId != copyId) return null;
                    pinned = now.ETag;
                }
                catch (RequestFailedException e) when (e.Status is 412) { return null; }
            }
        }, true, operation, ct);
}
