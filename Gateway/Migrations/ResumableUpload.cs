using System.Buffers;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Migrations;

/// <summary>
/// Copies one large object as a multipart upload that survives restarts: the upload id is recorded in the job's
/// database when it starts and each part (number, the target's ETag, size, SHA-256 and MD5 of the bytes read for it)
/// once the target confirmed it. Run again after a crash, it lists the parts the target holds, keeps those recorded
/// with the same ETag and size, and sends only the others; each part is one ranged GET of the source, pinned to the
/// listed version, streamed into upload-part. The completion makes the object visible at once, under the job's write
/// conditions (create-only or replace-at-ETag), so no partial object is ever visible. Verification (see docs/migrations.md):
/// each part's bytes are hashed as they stream and checked against the MD5 the target states for the part; with
/// <c>checksum</c>, when this run sends every part, the source bytes pass in part order (<see cref="InOrderHash"/>), so
/// the whole object's SHA-256 and MD5 are known, and checked against the source, before the completion; otherwise
/// (resumed, or a part whose MD5 the target did not state) the completed object is read back once, in order, and every
/// part's SHA-256 must equal the one recorded when it was read from the source, which also gives the whole object's
/// SHA-256 and MD5 (checked against the source's MD5 or recorded SHA-256 where it has one).
/// </summary>
/// <param name="partsInFlight">
/// The job's budget of parts being sent at once, over all its large objects (<see cref="MigrationOptions.LargeObjectPartsInFlight"/>):
/// a target bridge holds each part whole while it stages it, so this, not the number of large objects in flight, bounds the
/// part buffers.
/// </param>
internal sealed class ResumableUpload(MigrationSpec spec, IObjectStore source, IObjectStore target, RateLimiter? bandwidth,
    MigrationDatabase db, string job, int partsInFlight = MigrationOptions.DefaultLargeObjectPartsInFlight)
{
    /// <summary>Parts of at least this size (S3's default part size), larger where the object needs more than 10,000.</summary>
    internal const long PreferredPartBytes = 8 * 1024 * 1024;
    /// <summary>Parts of one object at once, at most (the job's budget, <c>partsInFlight</c>, is shared by all its objects).</summary>
    internal const int PartsInFlight = 4;
    private const int ReadBackChunk = 256 * 1024;
    private readonly SemaphoreSlim _partSlots = new(partsInFlight);

    /// <summary>The part size for an object of <paramref name="size"/> bytes at this target; null when the target cannot take it in parts.</summary>
    public static long? PartSize(long size, StoreCapabilities target)
    {
        if (!target.MultipartUploads) return null;
        var partSize = Math.Max(Math.Max(PreferredPartBytes, target.MinPartBytes), (size + MultipartNames.MaxParts - 1) / MultipartNames.MaxParts);
        return partSize <= target.MaxPartBytes ? partSize : null;
    }

    private static int PartCount(long size, long partSize) => (int)((size + partSize - 1) / partSize);

    /// <summary>The upload the job recorded for this source key, if any (it is then resumed, or verified if it completed).</summary>
    public UploadRow? Recorded(string key) => db.GetUpload(job, key);

    /// <summary>
    /// Whether <paramref name="atTarget"/> is the object this job's completion of <paramref name="row"/> made, its answer lost:
    /// every part of the object is recorded, the target object has the source's size, and read back in order each part's
    /// SHA-256 is the one recorded when it was read from the source. Then the upload is recorded as completed at that ETag
    /// (and verified as any completed upload, by a read-back, before the item is done), so it is neither uploaded again nor
    /// taken for a service's newer write.
    /// </summary>
    public async Task<bool> CompletionLandedAsync(ObjectInfo src, UploadRow row, ObjectInfo atTarget, CancellationToken ct)
    {
        if (row.SourceETag != src.ETag || atTarget.Size != src.Size || row.Parts.Count != PartCount(src.Size, row.PartSize))
            return false;
        var (_, _, failure) = await ReadBackAsync(spec.TargetKey(src.Key), atTarget, row.Parts, row.PartSize, src.Size, ct).ConfigureAwait(false);
        if (failure is not null) return false;
        db.SetUploadCompleted(job, src.Key, atTarget.ETag);
        return true;
    }

    /// <param name="recordSha256">Records the verified SHA-256 at the target where the two sides share no hash; returns the object as it then is.</param>
    public async Task<(ObjectInfo? Written, string? Sha256, string? Failure)> CopyAsync(ObjectInfo src, string targetKey, ObjectConditions targetConditions,
        long partSize, Func<string, ObjectInfo, ObjectInfo, string, CancellationToken, Task<ObjectInfo>> recordSha256, CancellationToken ct)
    {
        // The source's facts (type, metadata, MD5) from the version listed; a changed source fails here.
        var info = await source.HeadObjectAsync(spec.Source.Bucket, src.Key, new ObjectConditions { IfMatch = [src.ETag] }, ct).ConfigureAwait(false);
        var row = db.GetUpload(job, src.Key);
        if (row is not null && (row.SourceETag != src.ETag || row.PartSize != partSize && row.CompletedETag is null))
        {
            await AbortQuietlyAsync(targetKey, row.UploadId).ConfigureAwait(false);
            db.DropUpload(job, src.Key);
            row = null;
        }

        ObjectInfo? written = null;
        IReadOnlyList<PartRow> parts;
        (string Sha256, string Md5)? inOrder = null;
        if (row?.CompletedETag is { } completed
            && await ObjectMover.HeadOrNullAsync(target, spec.Target.Bucket, targetKey, ct).ConfigureAwait(false) is { } now && now.ETag == completed)
        {
            // Completed before a restart, not yet verified: nothing to send, only to check.
            written = now;
            parts = row.Parts;
            partSize = row.PartSize;
        }
        else
        {
            if (row?.CompletedETag is not null)
            {
                db.DropUpload(job, src.Key); // the completed object is gone or replaced: start over
                row = null;
            }
            string? failure;
            (written, parts, inOrder, failure) = await UploadAsync(src, info, targetKey, targetConditions, partSize, row, ct).ConfigureAwait(false);
            if (written is null) return (null, null, failure);
        }
        var (verified, sha256, problem) = inOrder is { } hashed
            ? VerifyHashedInOrder(src, written, hashed)
            : await VerifyAsync(src, info, targetKey, written, parts, partSize, ct).ConfigureAwait(false);
        if (problem is not null || sha256 is null) return (verified, sha256, problem);
        var final = await recordSha256(targetKey, written, info, sha256, ct).ConfigureAwait(false);
        // The record is a copy onto itself (a new ETag): the upload stays known as completed and verified at that ETag.
        if (final.ETag != written.ETag) db.SetUploadCompleted(job, src.Key, final.ETag);
        return (final, sha256, null);
    }

    /// <returns>
    /// The object written and its parts; with <c>InOrder</c> the whole object's SHA-256 and MD5 when every part was sent by
    /// this run, hashed in order, and confirmed by the target's MD5 of it (see <see cref="InOrderHash"/>).
    /// </returns>
    private async Task<(ObjectInfo? Written, IReadOnlyList<PartRow> Parts, (string Sha256, string Md5)? InOrder, string? Failure)> UploadAsync(
        ObjectInfo src, ObjectInfo info, string targetKey, ObjectConditions targetConditions, long partSize, UploadRow? row, CancellationToken ct)
    {
        var have = new Dictionary<int, PartRow>();
        if (row is not null)
        {
            var held = await HeldPartsAsync(targetKey, row.UploadId, ct).ConfigureAwait(false);
            if (held is null)
            {
                db.DropUpload(job, src.Key); // the target no longer knows the upload (expired, aborted)
                row = null;
            }
            else
            {
                foreach (var part in row.Parts)
                {
                    // Held: as the target lists it (same ETag and size); or, where the target cannot list parts, as it confirmed it.
                    if (held is NotListed || held.TryGetValue(part.Number, out var h) && h.ETag == part.ETag && h.Size == part.Size)
                        have[part.Number] = part;
                }
            }
        }
        var uploadId = row?.UploadId;
        if (uploadId is null)
        {
            uploadId = (await target.StartMultipartUploadAsync(spec.Target.Bucket, targetKey,
                new MultipartUploadOptions { ContentType = info.StatedContentType(), Metadata = info.StatedMetadata(), ContentHeaders = info.ContentHeaders }, ct).ConfigureAwait(false)).UploadId;
            db.BeginUpload(job, src.Key, uploadId, src.ETag, partSize);
        }

        var count = PartCount(src.Size, partSize);
        var missing = Enumerable.Range(1, count).Where(n => !have.ContainsKey(n)).ToList();
        // Every part sent by this run (none held from before a restart): the whole object can be hashed as it passes, in
        // order. Parallel.ForEachAsync takes the parts in order, so the part whose turn it is has always started.
        // Each part also waits for one of the job's part slots (SendPartAsync).
        using var whole = spec.Verify == VerifyMode.Checksum && have.Count == 0 ? new InOrderHash(src.Size) : null;
        var everyPartConfirmed = true;
        try
        {
            await Parallel.ForEachAsync(missing, new ParallelOptions { MaxDegreeOfParallelism = PartsInFlight, CancellationToken = ct }, async (n, token) =>
            {
                var (part, confirmed) = await SendPartAsync(src, targetKey, uploadId, n, partSize, whole, token).ConfigureAwait(false);
                db.RecordPart(job, src.Key, part);
                lock (have)
                {
                    have[n] = part;
                    everyPartConfirmed &= confirmed;
                }
            }).ConfigureAwait(false);
        }
        catch (PartMismatchException e)
        {
            await AbortQuietlyAsync(targetKey, uploadId).ConfigureAwait(false);
            db.DropUpload(job, src.Key);
            return (null, [], null, e.Message);
        }
        catch (GatewayException e) when (e.Code is ErrorCode.PreconditionFailed or ErrorCode.NotFound)
        {
            // The source changed or was deleted while its parts were read: the parts sent are of a version that is gone.
            await AbortQuietlyAsync(targetKey, uploadId).ConfigureAwait(false);
            db.DropUpload(job, src.Key);
            throw;
        }
        var inOrder = everyPartConfirmed ? whole?.Result() : null;
        if (inOrder is { } hashed && MismatchWithSource(info, hashed.Sha256, hashed.Md5) is { } mismatch)
        {
            // Checked before the completion: nothing is made visible.
            await AbortQuietlyAsync(targetKey, uploadId).ConfigureAwait(false);
            db.DropUpload(job, src.Key);
            return (null, [], null, mismatch);
        }

        var ordered = have.Values.OrderBy(p => p.Number).ToList();
        ObjectInfo written;
        try
        {
            written = await target.CompleteMultipartUploadAsync(spec.Target.Bucket, targetKey, uploadId, new CompleteUploadRequest
            {
                Parts = ordered.Select(p => new CompletedPart(p.Number, p.ETag)).ToList(),
                Conditions = targetConditions,
                // The source's own MD5, checked against the bytes (above, or by the read-back); a target that keeps it then states it (Azure).
                ContentMd5 = spec.Verify == VerifyMode.Checksum ? info.ContentMd5 : null,
                // Where the sides share no hash, the verified SHA-256 goes with the completion (local and Azure keep it; for S3
                // the record is the copy onto itself afterwards) instead of a second write of the object.
                Metadata = inOrder is { } known && info.ContentMd5 is null && target.Capabilities.UserMetadata
                    ? new Dictionary<string, string> { [ObjectMover.Sha256Metadata] = known.Sha256 }
                    : null,
            }, ct).ConfigureAwait(false);
        }
        catch (GatewayException e) when (e.Code is not (ErrorCode.Unavailable or ErrorCode.Timeout or ErrorCode.Throttled))
        {
            // Refused (a writer reached the target first, a part the target lost): this upload is of no further use.
            await AbortQuietlyAsync(targetKey, uploadId).ConfigureAwait(false);
            db.DropUpload(job, src.Key);
            throw;
        }
        db.SetUploadCompleted(job, src.Key, written.ETag);
        return (written, ordered, inOrder, null);
    }

    /// <summary>The parts the target holds by number; null when it does not know the upload; empty <see cref="NotListed"/> when it cannot list them.</summary>
    private async Task<Dictionary<int, UploadedPart>?> HeldPartsAsync(string targetKey, string uploadId, CancellationToken ct)
    {
        try
        {
            var listed = await target.ListPartsAsync(spec.Target.Bucket, targetKey, uploadId, ct).ConfigureAwait(false);
            return listed.ToDictionary(p => p.PartNumber);
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound)
        {
            return null;
        }
        catch (GatewayException e) when (e.Code is ErrorCode.NotSupported or ErrorCode.NotImplemented or ErrorCode.BadRequest)
        {
            // A service without ListParts (s3rver): trust the parts it confirmed; a completion then fails if one is gone.
            return new NotListed();
        }
    }

    private sealed class NotListed : Dictionary<int, UploadedPart>;

    /// <summary>
    /// One part: a ranged GET of the listed version, hashed as it streams into upload-part (and into <paramref name="whole"/>,
    /// in its turn). Confirmed: the target stated the part's MD5 and it matched.
    /// </summary>
    private async Task<(PartRow Part, bool Confirmed)> SendPartAsync(ObjectInfo src, string targetKey, string uploadId, int n, long partSize,
        InOrderHash? whole, CancellationToken ct)
    {
        var offset = (n - 1) * partSize;
        var length = Math.Min(partSize, src.Size - offset);
        // A part takes one of the job's slots only once its bytes may flow (in order: its turn), and keeps it until the
        // target has the part. A slot holder can then always finish: none waits for a part that is waiting for a slot.
        if (whole is not null) await whole.TurnAsync(n, ct).ConfigureAwait(false);
        await _partSlots.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await SendHeldPartAsync(src, targetKey, uploadId, n, offset, length, whole, ct).ConfigureAwait(false);
        }
        finally
        {
            _partSlots.Release();
        }
    }

    private async Task<(PartRow Part, bool Confirmed)> SendHeldPartAsync(ObjectInfo src, string targetKey, string uploadId, int n, long offset, long length,
        InOrderHash? whole, CancellationToken ct)
    {
        await using var content = await source.GetObjectAsync(spec.Source.Bucket, src.Key,
            new GetObjectOptions { Range = new ByteRange(offset, offset + length - 1, null) }, ct).ConfigureAwait(false);
        if (content.Info.ETag != src.ETag)
            throw new GatewayException(ErrorCode.PreconditionFailed, $"The source object '{src.Key}' changed while it was being read.");
        await using var body = new VerifyingReadStream(whole is null ? content.Body : whole.Part(content.Body, n, length), bandwidth, BandwidthLimit.Chunk(spec.BandwidthLimit),
            md5: spec.Verify == VerifyMode.Checksum);
        var uploaded = await target.UploadPartAsync(spec.Target.Bucket, targetKey, uploadId, n, body,
            new UploadPartOptions { ContentLength = length }, ct).ConfigureAwait(false);
        if (spec.Verify != VerifyMode.None && (body.BytesRead != length || uploaded.Size != length))
            throw new PartMismatchException($"size mismatch in part {n}: {length} bytes expected, {body.BytesRead} read, the target holds {uploaded.Size}");
        var md5 = body.Md5Base64();
        if (spec.Verify == VerifyMode.Checksum && uploaded.ContentMd5 is { } stated && stated != md5)
            throw new PartMismatchException($"the target's MD5 of part {n} does not match the bytes sent");
        // The part's SHA-256 (recorded for a later read-back) is the channel's own of this GET's body where it vouches for it.
        var sha256 = await body.Sha256HexAsync(ct).ConfigureAwait(false)
            ?? throw new PartMismatchException($"size mismatch in part {n}: the source sent more than {length} bytes");
        // No MD5 is taken under verify size or none (nothing compares it); the part's row then holds an empty one.
        return (new PartRow(n, uploaded.ETag, length, sha256, md5 ?? ""), uploaded.ContentMd5 is not null);
    }

    /// <summary>The object's bytes, hashed in order as they were read, against the source's own MD5 and recorded SHA-256.</summary>
    private static string? MismatchWithSource(ObjectInfo info, string sha256, string md5)
    {
        if (info.ContentMd5 is { } sourceMd5 && sourceMd5 != md5)
            return "the bytes read do not match the source's MD5";
        if (info.StatedMetadata().TryGetValue(ObjectMover.Sha256Metadata, out var recorded) && recorded != sha256)
            return $"the bytes read do not match the SHA-256 recorded in the source's {ObjectMover.Sha256Metadata} metadata";
        return null;
    }

    /// <summary>
    /// An upload whose parts this run sent, each confirmed by the target's MD5, and whose bytes were hashed in order and
    /// checked against the source before the completion: the completed object has the size listed, and an MD5 the target
    /// states (Azure keeps the one the completion carried; a store that composes one computes it) is the bytes'. No read-back.
    /// </summary>
    private static (ObjectInfo? Written, string? Sha256, string? Failure) VerifyHashedInOrder(ObjectInfo src, ObjectInfo written, (string Sha256, string Md5) hashed)
    {
        if (written.Size != src.Size) return (written, hashed.Sha256, $"size mismatch: source listed {src.Size} bytes, the target holds {written.Size}");
        if (written.ContentMd5 is { } stated && stated != hashed.Md5) return (written, hashed.Sha256, "the target's MD5 of the completed object does not match the bytes sent");
        return (written, hashed.Sha256, null);
    }

    private async Task<(ObjectInfo? Written, string? Sha256, string? Failure)> VerifyAsync(ObjectInfo src, ObjectInfo info, string targetKey,
        ObjectInfo written, IReadOnlyList<PartRow> parts, long partSize, CancellationToken ct)
    {
        if (spec.Verify == VerifyMode.None) return (written, null, null);
        if (written.Size != src.Size) return (written, null, $"size mismatch: source listed {src.Size} bytes, the target holds {written.Size}");
        if (spec.Verify == VerifyMode.Size) return (written, null, null);

        var (sha256, md5, failure) = await ReadBackAsync(targetKey, written, parts, partSize, src.Size, ct).ConfigureAwait(false);
        if (failure is not null) return (written, sha256, failure);
        if (info.ContentMd5 is { } sourceMd5 && sourceMd5 != md5)
            return (written, sha256, "the object read back does not match the source's MD5");
        if (info.StatedMetadata().TryGetValue(ObjectMover.Sha256Metadata, out var recorded) && recorded != sha256)
            return (written, sha256, $"the object read back does not match the SHA-256 recorded in the source's {ObjectMover.Sha256Metadata} metadata");
        return (written, sha256, null);
    }

    /// <summary>
    /// Reads the completed object once, in order: each part's SHA-256 must be the one recorded when it was read from the
    /// source, so the target holds the source's bytes; the whole object's SHA-256 and MD5 come out of the same read.
    /// </summary>
    private async Task<(string Sha256, string Md5, string? Failure)> ReadBackAsync(string targetKey, ObjectInfo written,
        IReadOnlyList<PartRow> parts, long partSize, long size, CancellationToken ct)
    {
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var wholeMd5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        using var part = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var byNumber = parts.ToDictionary(p => p.Number);
        string? failure = null;
        long read = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBackChunk);
        try
        {
            await using var content = await target.GetObjectAsync(spec.Target.Bucket, targetKey,
                new GetObjectOptions { Conditions = new ObjectConditions { IfMatch = [written.ETag] } }, ct).ConfigureAwait(false);
            int n;
            while ((n = await content.Body.ReadAsync(buffer.AsMemory(0, ReadBackChunk), ct).ConfigureAwait(false)) > 0)
            {
                whole.AppendData(buffer, 0, n);
                wholeMd5.AppendData(buffer, 0, n);
                var at = 0;
                while (at < n)
                {
                    var intoPart = read % partSize;
                    var take = (int)Math.Min(n - at, partSize - intoPart);
                    part.AppendData(buffer, at, take);
                    at += take;
                    read += take;
                    if (read % partSize == 0 || read == size) failure ??= CheckPart(part, (int)((read - 1) / partSize) + 1, byNumber);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (read != size) failure ??= $"size mismatch: {read} bytes read back, {size} expected";
        return (Convert.ToHexStringLower(whole.GetHashAndReset()), Convert.ToBase64String(wholeMd5.GetHashAndReset()), failure);
    }

    private static string? CheckPart(IncrementalHash part, int number, Dictionary<int, PartRow> parts)
    {
        var sha256 = Convert.ToHexStringLower(part.GetHashAndReset());
        return parts.TryGetValue(number, out var recorded) && recorded.Sha256 == sha256
            ? null
            : $"part {number} of the object read back does not match the bytes read from the source";
    }

    /// <summary>Aborts every upload a cancelled job left open (best effort; the target's lifecycle rules reap the rest).</summary>
    public async Task AbortAllAsync()
    {
        foreach (var row in db.Uploads(job))
        {
            if (row.CompletedETag is null) await AbortQuietlyAsync(spec.TargetKey(row.Key), row.UploadId).ConfigureAwait(false);
            db.DropUpload(job, row.Key);
        }
    }

    private async Task AbortQuietlyAsync(string targetKey, string uploadId)
    {
        try { await target.AbortMultipartUploadAsync(spec.Target.Bucket, targetKey, uploadId, CancellationToken.None).ConfigureAwait(false); }
        catch (GatewayException) { /* best effort: an upload nobody completes is reaped by the store */ }
    }

    private sealed class PartMismatchException(string message) : Exception(message);
}
