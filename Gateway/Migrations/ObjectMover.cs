using System.Buffers;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Migrations;

/// <summary>How one object of a job ended.</summary>
/// <param name="SourceDeleted">A move deleted the source object.</param>
/// <param name="Size">The size of the version moved where it is not the one listed (the source object was replaced since).</param>
public sealed record ItemOutcome(string State, string Action, string? Sha256, string? Error, bool SourceDeleted = false, long? Size = null);

/// <summary>
/// Moves one object from the source to the target store (both reached through the channel, so each call is
/// witnessed): skips it when the target already holds the same bytes, streams it otherwise (server-side copy
/// inside one store), verifies what arrived, and for a move deletes the source only after that.
/// </summary>
/// <param name="frontedSince">Since when a migrating store has fronted the pair (with <paramref name="guardDeletes"/>).</param>
/// <param name="guardDeletes">
/// A migrating store fronts this pair (bucket and key kept), so services write the target. Then a differing target object
/// written since <paramref name="frontedSince"/> and not older than the source's version is theirs, newer, and never
/// overwritten or deleted by the job; and after each copy the source is checked again, so an object deleted through that
/// store while the job copied it is removed from the target too instead of coming back.
/// </param>
/// <param name="uploads">
/// The job's record of large objects' multipart uploads: with it, an object taking the ranged-read path goes to a target
/// that has multipart uploads part by part, and resumes after a restart without sending completed parts again.
/// </param>
/// <param name="copies">Where a migrating store fronts the pair: the copies jobs wrote at the target, never taken for a service's writes.</param>
internal sealed class ObjectMover(MigrationSpec spec, IObjectStore source, IObjectStore target, RateLimiter? bandwidth,
    DateTimeOffset frontedSince, bool guardDeletes = false, ResumableUpload? uploads = null, FrontedCopies? copies = null)
{

    /// <summary>
    /// Objects of at least this size are read as ranged GETs of <see cref="RangeChunk"/> bytes, <see cref="RangesInFlight"/>
    /// at once (at most that many chunks in memory per object), while the target writes them as a multipart or block upload.
    /// </summary>
    internal const long ParallelReadFrom = 16 * 1024 * 1024;
    internal const int RangeChunk = 4 * 1024 * 1024;
    internal const int RangesInFlight = 4;

    /// <summary>
    /// Range buffers of this job. Its own pool, not the shared one: it keeps at most a few idle buffers (the shared pool
    /// would keep several per core for the life of the process), and it goes with the job.
    /// </summary>
    private readonly ArrayPool<byte> _rangeBuffers = ArrayPool<byte>.Create(RangeChunk, 2 * RangesInFlight);

    /// <summary>Store times have whole seconds: anything from the second the pair became fronted counts as written since.</summary>
    private readonly DateTimeOffset _frontedFrom = WholeSecond(frontedSince);

    private static DateTimeOffset WholeSecond(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    /// <summary>A move left this object at the target of a fronted pair (it deleted the source): not a sync's to delete.</summary>
    public bool MovedHere(ObjectInfo targetObject) => copies?.IsMoved(targetObject) == true;

    /// <summary>
    /// True when a migrating store fronts the job and the target object was written since it began to (services write the
    /// target only through it from then on), and it is not a copy a job wrote there (one still holding its ETag).
    /// </summary>
    public bool WrittenWhileFronted(ObjectInfo targetObject) =>
        guardDeletes && targetObject.LastModified >= _frontedFrom && copies?.IsJobsCopy(targetObject) != true;

    /// <summary>
    /// A differing target object a job never overwrites: written while a migrating store fronted the pair, and in or after
    /// the second of the source's version (rclone's <c>--update</c>; a tie keeps the target's, whose source bytes stay in
    /// the source). A copy made before the store was put in front (a bulk copy while services still wrote the source) is
    /// compared as always, so a source updated during or after it is brought over.
    /// </summary>
    public bool NewerAtTarget(ObjectInfo targetObject, ObjectInfo sourceObject) =>
        WrittenWhileFronted(targetObject) && WholeSecond(targetObject.LastModified) >= WholeSecond(sourceObject.LastModified);

    /// <summary>Moves one object, asking the target (HEAD) what it holds at the object's key.</summary>
    /// <param name="triedSince">
    /// When the first try of this object began, for a try after a transient failure: a target object written since then
    /// that holds the source's bytes (checked by a hash) is this job's own write whose answer was lost, reported done
    /// (copied), not skipped.
    /// </param>
    public Task<ItemOutcome> MoveAsync(ObjectInfo src, CancellationToken ct, DateTimeOffset? triedSince = null) =>
        AsTheSourceIsNowAsync(src, () => MoveAsync(src, listed: false, null, ct, triedSince), ct);

    /// <summary>
    /// Moves one object, taking what the target holds from the job's target listing (<paramref name="listedAtTarget"/>,
    /// null when the listing did not show the key). The listing is older than a HEAD: it is trusted where a conditional
    /// write catches a change since (absent: create-only; different: replaced at the listed ETag), and a write refused by
    /// its condition runs the object again with a HEAD. A HEAD is still made where the listing cannot decide: no hash both
    /// sides state, a move (which deletes the source when the target is identical) and a dry run's absent objects.
    /// </summary>
    public Task<ItemOutcome> MoveAsync(ObjectInfo src, ObjectInfo? listedAtTarget, CancellationToken ct) => AsTheSourceIsNowAsync(src, async () =>
    {
        try
        {
            return await MoveAsync(src, listed: true, listedAtTarget, ct).ConfigureAwait(false);
        }
        catch (GatewayException e) when (e.Code == ErrorCode.PreconditionFailed)
        {
            return await MoveAsync(src, listed: false, null, ct).ConfigureAwait(false);
        }
    }, ct);

    /// <summary>
    /// Runs <paramref name="move"/> of the listed version and, where a call is refused because the source object is gone or
    /// was replaced since the listing (a writer or deleter at the source, another job moving the same objects), looks at
    /// the source again (HEAD): an object gone leaves nothing to move, reported skipped / gone-at-source (not a failure);
    /// one replaced is moved as it is now, once, every read pinned to its new ETag (as rclone copies the version it opens;
    /// a second change fails the item). A refusal the source is not the cause of (its object unchanged) fails the item.
    /// </summary>
    private async Task<ItemOutcome> AsTheSourceIsNowAsync(ObjectInfo src, Func<Task<ItemOutcome>> move, CancellationToken ct)
    {
        try
        {
            return await move().ConfigureAwait(false);
        }
        catch (GatewayException e) when (e.Code is ErrorCode.NotFound or ErrorCode.PreconditionFailed)
        {
            var now = await HeadOrNullAsync(source, spec.Source.Bucket, src.Key, ct).ConfigureAwait(false);
            if (now is null) return new(MigrationItemStates.Skipped, MigrationItemStates.GoneAtSource, null, null);
            if (now.ETag == src.ETag) throw;
            return await MoveAsync(now, listed: false, null, ct).ConfigureAwait(false) with { Size = now.Size };
        }
    }

    private async Task<ItemOutcome> MoveAsync(ObjectInfo src, bool listed, ObjectInfo? listedAtTarget, CancellationToken ct, DateTimeOffset? triedSince = null)
    {
        var targetKey = spec.TargetKey(src.Key);
        if (Unmovable(src, targetKey) is { } reason) return new(MigrationItemStates.Failed, MigrationItemStates.Copy, null, reason);
        // An upload this job started for the object before a restart is taken up again (or, if it completed, verified).
        var recorded = spec.DryRun ? null : uploads?.Recorded(src.Key);
        var existing = listed && recorded is null && !NeedsHead(src, listedAtTarget)
            ? listedAtTarget
            : await HeadOrNullAsync(target, spec.Target.Bucket, targetKey, ct).ConfigureAwait(false);
        // A completion whose answer was lost: the object it made is there, holding the parts the job recorded.
        if (recorded is { CompletedETag: null } && existing is not null && await uploads!.CompletionLandedAsync(src, recorded, existing, ct).ConfigureAwait(false))
            recorded = recorded with { CompletedETag = existing.ETag };
        var ours = recorded?.CompletedETag is { } completed && existing?.ETag == completed;
        if (existing is not null && recorded is null)
        {
            // Written since an earlier try of this object began: that try's write, whose answer was lost, if it holds the source's bytes.
            if (triedSince is { } first && !spec.DryRun && existing.LastModified >= WholeSecond(first))
            {
                if (await LandedAsync(src, existing, ct).ConfigureAwait(false) is { } landed) return landed;
            }
            else if (await IdenticalAsync(src, existing, ct).ConfigureAwait(false))
            {
                if (spec.DryRun) return new(MigrationItemStates.Skipped, MigrationItemStates.Identical, null, null);
                var deleted = await DeleteSourceIfMovingAsync(src, targetKey, existing, ct).ConfigureAwait(false);
                return new(MigrationItemStates.Skipped, MigrationItemStates.Identical, null, null, deleted);
            }
        }
        if (existing is not null && !ours && NewerAtTarget(existing, src))
            return new(MigrationItemStates.Skipped, MigrationItemStates.NewerAtTarget, null, null);
        if (spec.DryRun) return new(MigrationItemStates.Planned, MigrationItemStates.Copy, null, null);

        return await CopyAsync(src, targetKey, existing, ct).ConfigureAwait(false);
    }

    private async Task<ItemOutcome> CopyAsync(ObjectInfo src, string targetKey, ObjectInfo? existing, CancellationToken ct)
    {
        // Never clobber a target object that changed after we looked: create-only, or replace exactly what we saw.
        var targetConditions = existing is null
            ? new ObjectConditions { IfNoneMatch = ["*"] }
            : new ObjectConditions { IfMatch = [existing.ETag] };
        ObjectInfo? written;
        string? sha256, failure;
        try
        {
            (written, sha256, failure) = SameStore && source.Capabilities.ServerSideCopy
                ? await ServerSideCopyAsync(src, targetKey, targetConditions, ct).ConfigureAwait(false)
                : await StreamCopyAsync(src, targetKey, targetConditions, ct).ConfigureAwait(false);
        }
        catch (GatewayException e) when (e.Code is ErrorCode.PreconditionFailed or ErrorCode.NotFound)
        {
            var now = await HeadOrNullAsync(target, spec.Target.Bucket, targetKey, ct).ConfigureAwait(false);
            // Refused because our own write landed first: a retry of it (the bridge's or its SDK's) after its answer was lost.
            if (now is not null && now.ETag != existing?.ETag && !spec.DryRun && await LandedAsync(src, now, ct).ConfigureAwait(false) is { } landed)
                return landed;
            // A writer reached the target between our look and our write: its object is newer and stays.
            if (now is not null && now.ETag != existing?.ETag && NewerAtTarget(now, src))
                return new(MigrationItemStates.Skipped, MigrationItemStates.NewerAtTarget, null, null);
            if (guardDeletes && await HeadOrNullAsync(source, spec.Source.Bucket, src.Key, ct).ConfigureAwait(false) is null)
                return new(MigrationItemStates.Skipped, MigrationItemStates.GoneAtSource, null, null);
            throw;
        }
        if (written is not null) copies?.Wrote(targetKey, written);
        if (failure is not null)
        {
            if (written is not null) await RemoveCopyQuietlyAsync(targetKey, written.ETag).ConfigureAwait(false);
            return new(MigrationItemStates.Failed, MigrationItemStates.Copy, sha256, failure);
        }
        // A move deletes the source once the copy was verified (or throws: the source was replaced since, and is kept).
        bool sourceDeleted;
        try
        {
            sourceDeleted = await DeleteSourceIfMovingAsync(src, targetKey, written!, ct).ConfigureAwait(false);
        }
        catch (GatewayException) when (guardDeletes)
        {
            // The copy is of a version gone from the source, and would pass for a service's newer write: it goes (readers
            // fall back to the source meanwhile), and the version there now is moved in its place.
            await RemoveCopyQuietlyAsync(targetKey, written!.ETag).ConfigureAwait(false);
            throw;
        }
        if (guardDeletes && (spec.Mode == MigrationMode.Move
                ? !sourceDeleted
                : await HeadOrNullAsync(source, spec.Source.Bucket, src.Key, ct).ConfigureAwait(false) is null))
        {
            // A move beside this job found this copy identical and deleted the source: it is the moved object, and stays.
            if (copies?.IsMovedByAnother(written!) == true) return new(MigrationItemStates.Skipped, MigrationItemStates.GoneAtSource, sha256, null);
            // Deleted through the migrating store while we copied (it deletes From first, then To): do not bring it back.
            copies?.ForgetMove(targetKey);
            await RemoveCopyQuietlyAsync(targetKey, written!.ETag).ConfigureAwait(false);
            return new(MigrationItemStates.Skipped, MigrationItemStates.GoneAtSource, sha256, null);
        }
        return new(MigrationItemStates.Done, MigrationItemStates.Copy, sha256, null, sourceDeleted);
    }

    private bool SameStore => spec.Source.Store == spec.Target.Store;

    /// <summary>
    /// Why the target store cannot hold the object, by its stated limits (a key longer than its keys, once the prefixes
    /// are mapped; an object larger than its objects), or null. Found before any call, so a dry run (<c>migrate check</c>)
    /// names the object as failed with this reason instead of planning a copy that would fail.
    /// </summary>
    private string? Unmovable(ObjectInfo src, string targetKey)
    {
        var limits = target.Capabilities;
        var keyBytes = System.Text.Encoding.UTF8.GetByteCount(targetKey);
        if (keyBytes > limits.MaxKeyBytes)
            return $"{ErrorCode.BadRequest.Slug()}: the key at the target is {keyBytes} bytes of UTF-8; store '{spec.Target.Store}' holds keys of at most {limits.MaxKeyBytes}";
        if (limits.MaxObjectBytes is { } max && src.Size > max)
            return $"{ErrorCode.PayloadTooLarge.Slug()}: the object is {src.Size} bytes; store '{spec.Target.Store}' holds objects of at most {max}";
        return null;
    }

    /// <summary>Whether a listed view of the target object is not enough to decide (see the listing overload of MoveAsync).</summary>
    private bool NeedsHead(ObjectInfo src, ObjectInfo? listedAtTarget) => listedAtTarget is null
        ? spec.DryRun
        : spec.Mode == MigrationMode.Move
            || (src.Size == listedAtTarget.Size
                && !(src.ContentMd5 is not null && listedAtTarget.ContentMd5 is not null)
                && !(src.Crc32c is not null && listedAtTarget.Crc32c is not null));

    /// <summary>
    /// A target object written since this job's write of <paramref name="src"/> went out, taken as that write (done, copied)
    /// only when it holds the source's bytes by a hash, never by size and time: the MD5 or CRC32C both sides state, else
    /// SHA-256 (the gateway's record at the target, or the target read back) against the source's (recorded, or read).
    /// Null when it does not: the object is someone else's.
    /// </summary>
    private async Task<ItemOutcome?> LandedAsync(ObjectInfo src, ObjectInfo dst, CancellationToken ct)
    {
        if (src.Size != dst.Size) return null;
        string? sha256 = null;
        if (src.ContentMd5 is { } a && dst.ContentMd5 is { } b) { if (a != b) return null; }
        else if (src.Crc32c is { } c && dst.Crc32c is { } d) { if (c != d) return null; }
        else
        {
            sha256 = src.MetadataOrNone().TryGetValue(Sha256Metadata, out var known)
                ? known
                : await Sha256OfAsync(source, spec.Source.Bucket, src.Key, src.ETag, ct).ConfigureAwait(false);
            var atTarget = dst.MetadataOrNone().TryGetValue(Sha256Metadata, out var recorded)
                ? recorded
                : await Sha256OfAsync(target, spec.Target.Bucket, spec.TargetKey(src.Key), dst.ETag, ct).ConfigureAwait(false);
            if (sha256 != atTarget) return null;
            // As after any copy where the sides share no hash: the verified SHA-256 recorded at the target.
            dst = await RecordSha256Async(spec.TargetKey(src.Key), dst, dst, sha256, ct).ConfigureAwait(false);
        }
        copies?.Wrote(spec.TargetKey(src.Key), dst);
        var sourceDeleted = await DeleteSourceIfMovingAsync(src, spec.TargetKey(src.Key), dst, ct).ConfigureAwait(false);
        return new(MigrationItemStates.Done, MigrationItemStates.Copy, sha256 ?? dst.MetadataOrNone().GetValueOrDefault(Sha256Metadata), null, sourceDeleted);
    }

    /// <summary>
    /// rclone's rule: same size plus a hash both sides know; else, where the gateway recorded the target's SHA-256, the
    /// source's SHA-256 (recorded too, or hashed as it is read); else same size and the target not older.
    /// </summary>
    private async Task<bool> IdenticalAsync(ObjectInfo src, ObjectInfo dst, CancellationToken ct)
    {
        if (src.Size != dst.Size) return false;
        if (src.ContentMd5 is { } a && dst.ContentMd5 is { } b) return a == b;
        if (src.Crc32c is { } c && dst.Crc32c is { } d) return c == d;
        if (spec.Verify == VerifyMode.Checksum && dst.MetadataOrNone().TryGetValue(Sha256Metadata, out var recorded))
        {
            var sourceSha256 = src.MetadataOrNone().TryGetValue(Sha256Metadata, out var known)
                ? known
                : await Sha256OfAsync(source, spec.Source.Bucket, src.Key, src.ETag, ct).ConfigureAwait(false);
            return sourceSha256 == recorded;
        }
        return dst.LastModified >= src.LastModified;
    }

    private async Task<(ObjectInfo? Written, string? Sha256, string? Failure)> StreamCopyAsync(
        ObjectInfo src, string targetKey, ObjectConditions targetConditions, CancellationToken ct)
    {
        var parallel = source.Capabilities.Ranges && src.Size >= ParallelReadFrom;
        if (parallel && uploads is not null && ResumableUpload.PartSize(src.Size, target.Capabilities) is { } partSize)
            return await uploads.CopyAsync(src, targetKey, targetConditions, partSize, RecordSha256IfUnsharedAsync, ct).ConfigureAwait(false);
        // Ranges fetched ahead (4 of 4 MiB) would pull 16 MiB from the source past a bandwidth limit: one stream then.
        parallel &= bandwidth is null;
        await using var content = await OpenListedVersionAsync(src, parallel ? ParallelRangeReadStream.FirstRange(RangeChunk) : new GetObjectOptions(), ct)
            .ConfigureAwait(false);
        Stream raw = parallel
            ? new ParallelRangeReadStream(source, spec.Source.Bucket, src.Key, content.Info.ETag, src.Size, content, RangeChunk, RangesInFlight, _rangeBuffers)
            : content.Body;
        await using var body = new VerifyingReadStream(raw, bandwidth, BandwidthLimit.Chunk(spec.BandwidthLimit), md5: spec.Verify == VerifyMode.Checksum);
        var written = await target.PutObjectAsync(spec.Target.Bucket, targetKey, body, new PutObjectOptions
        {
            ContentType = content.Info.StatedContentType(),
            Metadata = content.Info.StatedMetadata(),
            ContentHeaders = content.Info.ContentHeaders,
            // The target checks the bytes it received against the source's own MD5 and stores nothing on a mismatch.
            ContentMd5 = spec.Verify == VerifyMode.Checksum ? content.Info.ContentMd5 : null,
            ContentLength = parallel ? src.Size : content.Info.Size,
            Conditions = targetConditions,
        }, ct).ConfigureAwait(false);
        var sha256 = await body.Sha256HexAsync(ct).ConfigureAwait(false);
        var md5 = body.Md5Base64();
        if (spec.Verify == VerifyMode.None) return (written, sha256, null);
        if (body.BytesRead != src.Size || written.Size != src.Size || sha256 is null)
            return (written, sha256, $"size mismatch: source listed {src.Size} bytes, {body.BytesRead} were read, the target holds {written.Size}");
        if (spec.Verify == VerifyMode.Size) return (written, sha256, null);
        if (content.Info.ContentMd5 is { } sourceMd5 && sourceMd5 != md5)
            return (written, sha256, "the bytes read do not match the source's MD5");
        if (content.Info.StatedMetadata().TryGetValue(Sha256Metadata, out var recorded) && recorded != sha256)
            return (written, sha256, $"the bytes read do not match the SHA-256 recorded in the source's {Sha256Metadata} metadata");
        if (written.ContentMd5 is { } targetMd5)
        {
            if (targetMd5 != md5) return (written, sha256, "the target's MD5 does not match the bytes sent");
        }
        else
        {
            // The target states no hash we share: read it back and compare SHA-256.
            var readBack = await Sha256OfAsync(target, spec.Target.Bucket, targetKey, written.ETag, ct).ConfigureAwait(false);
            if (readBack != sha256) return (written, sha256, "the target's bytes read back do not match the bytes sent");
        }
        if (content.Info.ContentMd5 is not null && written.ContentMd5 is not null) return (written, sha256, null);
        return (await RecordSha256Async(targetKey, written, content.Info, sha256, ct).ConfigureAwait(false), sha256, null);
    }

    /// <summary>
    /// Opens the source object, only the version that was listed. A plain GET answers one version whole, so comparing its
    /// ETag with the listed one pins the read as If-Match would, without the extra request a store makes to evaluate a
    /// condition; where the ETags differ (changed since, or a store that spells them differently in listings), the read
    /// is made again with If-Match and the store decides.
    /// </summary>
    private async Task<ObjectContent> OpenListedVersionAsync(ObjectInfo src, GetObjectOptions options, CancellationToken ct)
    {
        var content = await source.GetObjectAsync(spec.Source.Bucket, src.Key, options, ct).ConfigureAwait(false);
        if (content.Info.ETag == src.ETag) return content;
        await content.DisposeAsync().ConfigureAwait(false);
        return await source.GetObjectAsync(spec.Source.Bucket, src.Key,
            options with { Conditions = new ObjectConditions { IfMatch = [src.ETag] } }, ct).ConfigureAwait(false);
    }

    /// <summary>Records the verified SHA-256 at the target unless both sides state an MD5 for the object.</summary>
    private Task<ObjectInfo> RecordSha256IfUnsharedAsync(string targetKey, ObjectInfo written, ObjectInfo sourceInfo, string sha256, CancellationToken ct) =>
        sourceInfo.ContentMd5 is not null && written.ContentMd5 is not null
            ? Task.FromResult(written)
            : RecordSha256Async(targetKey, written, sourceInfo, sha256, ct);

    /// <summary>User metadata where the gateway keeps an object's SHA-256 at a target that shares no hash with its source.</summary>
    public const string Sha256Metadata = "gateway-sha256";

    /// <summary>
    /// The two sides share no hash for this object (a multipart upload, a store that keeps no MD5): the verified SHA-256
    /// goes into the target's user metadata (a server-side copy onto itself, only of the version just written), so a
    /// later run or <c>migrate check</c> compares like with like instead of falling back to size and time.
    /// </summary>
    private async Task<ObjectInfo> RecordSha256Async(string targetKey, ObjectInfo written, ObjectInfo sourceInfo, string sha256, CancellationToken ct)
    {
        if (!target.Capabilities.UserMetadata || !target.Capabilities.ServerSideCopy || written.StatedMetadata().GetValueOrDefault(Sha256Metadata) == sha256)
            return written;
        var metadata = new Dictionary<string, string>(sourceInfo.StatedMetadata()) { [Sha256Metadata] = sha256 };
        return await target.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = spec.Target.Bucket,
            SourceKey = targetKey,
            TargetBucket = spec.Target.Bucket,
            TargetKey = targetKey,
            SourceConditions = new ObjectConditions { IfMatch = [written.ETag] },
            TargetConditions = new ObjectConditions { IfMatch = [written.ETag] },
            MetadataDirective = MetadataDirective.Replace,
            ContentType = sourceInfo.ContentType,
            Metadata = metadata,
            ContentHeaders = sourceInfo.ContentHeaders,
        }, ct).ConfigureAwait(false);
    }

    private async Task<(ObjectInfo? Written, string? Sha256, string? Failure)> ServerSideCopyAsync(
        ObjectInfo src, string targetKey, ObjectConditions targetConditions, CancellationToken ct)
    {
        var written = await source.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = spec.Source.Bucket,
            SourceKey = src.Key,
            TargetBucket = spec.Target.Bucket,
            TargetKey = targetKey,
            SourceConditions = new ObjectConditions { IfMatch = [src.ETag] },
            TargetConditions = targetConditions,
        }, ct).ConfigureAwait(false);
        if (spec.Verify == VerifyMode.None) return (written, null, null);
        if (written.Size != src.Size) return (written, null, $"size mismatch: source {src.Size} bytes, target {written.Size}");
        if (spec.Verify == VerifyMode.Size) return (written, null, null);
        if (src.ContentMd5 is { } a && written.ContentMd5 is { } b)
            return (written, null, a == b ? null : "the copy's MD5 does not match the source's");
        var expected = await Sha256OfAsync(source, spec.Source.Bucket, src.Key, src.ETag, ct).ConfigureAwait(false);
        var actual = await Sha256OfAsync(target, spec.Target.Bucket, targetKey, written.ETag, ct).ConfigureAwait(false);
        return (written, expected, expected == actual ? null : "the copy's bytes do not match the source's");
    }

    /// <summary>
    /// For a move, deletes the source object, only the version copied: true when it did; false when it was gone already
    /// (deleted by someone else, another job moving it: nothing is left to move). A version written since is kept: the
    /// refusal is thrown. Where a migrating store fronts the pair, <paramref name="atTarget"/> is first recorded as moved
    /// there, so that a later sync does not take it for a copy whose source went (recorded before the delete: a crash
    /// between leaves an object kept, never one lost).
    /// </summary>
    private async Task<bool> DeleteSourceIfMovingAsync(ObjectInfo src, string targetKey, ObjectInfo atTarget, CancellationToken ct)
    {
        if (spec.Mode != MigrationMode.Move) return false;
        copies?.Moved(targetKey, atTarget);
        try
        {
            await source.DeleteObjectAsync(spec.Source.Bucket, src.Key, new ObjectConditions { IfMatch = [src.ETag] }, ct).ConfigureAwait(false);
            return true;
        }
        catch (GatewayException e) when (e.Code is ErrorCode.PreconditionFailed or ErrorCode.NotFound)
        {
            if (await HeadOrNullAsync(source, spec.Source.Bucket, src.Key, ct).ConfigureAwait(false) is null) return false;
            copies?.ForgetMove(targetKey); // the source was replaced and stays: nothing was moved
            throw;
        }
    }

    private static async Task<string> Sha256OfAsync(IObjectStore store, string bucket, string key, string etag, CancellationToken ct)
    {
        await using var content = await store.GetObjectAsync(bucket, key,
            new GetObjectOptions { Conditions = new ObjectConditions { IfMatch = [etag] } }, ct).ConfigureAwait(false);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(content.Body, ct).ConfigureAwait(false));
    }

    internal static async Task<ObjectInfo?> HeadOrNullAsync(IObjectStore store, string bucket, string key, CancellationToken ct)
    {
        try { return await store.HeadObjectAsync(bucket, key, ObjectConditions.None, ct).ConfigureAwait(false); }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { return null; }
    }

    /// <summary>Removes the job's own copy again (only that version); one that stays is still known as the job's.</summary>
    private async Task RemoveCopyQuietlyAsync(string targetKey, string etag)
    {
        try
        {
            await target.DeleteObjectAsync(spec.Target.Bucket, targetKey, new ObjectConditions { IfMatch = [etag] }, CancellationToken.None).ConfigureAwait(false);
            copies?.Removed(targetKey);
        }
        catch (GatewayException) { /* the item is reported failed either way */ }
    }
}
