using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Bridges.Local;

public sealed partial class LocalObjectStore
{
    /// <summary>
    /// A copy inside the store: the source file's content copied by the kernel into a new file (no pass through user space,
    /// nothing hashed), which keeps the source's MD5 and ETag, then committed as a put (tmp, intent, rename).
    /// </summary>
    public async Task<ObjectInfo> CopyObjectAsync(CopyObjectRequest request, CancellationToken ct)
    {
        if (request.SourceParts is { } parts) return await ComposeAsync(request, parts, ct).ConfigureAwait(false);
        var targetPath = ObjectPath(ExistingBucketDir(request.TargetBucket), request.TargetKey);
        // A copy onto itself (a metadata change) writes over the object it read: its commit is pinned to the version read
        // (IsVersion), so a put or delete acknowledged meanwhile is not undone by it; it starts again from a fresh read instead.
        var ontoItself = request.SourceBucket == request.TargetBucket && request.SourceKey == request.TargetKey;
        if (!ontoItself && !request.TargetConditions.IsEmpty) Preconditions.Check(TryReadInfo(targetPath), request.TargetConditions, isRead: false);
        for (var attempt = 1; ; attempt++)
        {
            var (source, sourceTrailer) = OpenObject(request.SourceBucket, request.SourceKey, request.SourceConditions);
            await using (source.ConfigureAwait(false))
            {
                var read = LocalObjectFile.ToInfo(sourceTrailer);
                if (ontoItself && !request.TargetConditions.IsEmpty) Preconditions.Check(read, request.TargetConditions, isRead: false);
                var options = request.StreamedCopyOptions(read, sourceTrailer.Size);
                try
                {
                    return await PutCopiedContentAsync(request.TargetBucket, request.TargetKey, targetPath, [(source.SafeFileHandle, sourceTrailer.Size)],
                        size => new LocalObjectFile.Trailer(request.TargetKey, size, sourceTrailer.Md5, options.ContentType, new Dictionary<string, string>(options.Metadata),
                            DateTimeOffset.UtcNow, ContentHeaders.OrNull(options.ContentHeaders), sourceTrailer.ETag),
                        options.Conditions, ct, ontoItself ? read : null).ConfigureAwait(false);
                }
                catch (GatewayException e) when (ontoItself && e.Code == ErrorCode.PreconditionFailed)
                {
                    if (attempt == SelfCopyAttempts)
                        throw new GatewayException(ErrorCode.Unavailable,
                            $"Local store '{Name}': copy '{request.SourceBucket}/{request.SourceKey}' onto itself: the object was replaced during each of {attempt} copies.", e);
                }
            }
        }
    }

    /// <summary>How many times a copy onto itself starts again before the object is called too busy to copy (503).</summary>
    private const int SelfCopyAttempts = 8;

    /// <summary>Runs just before a copy's commit; tests put a competing write there.</summary>
    internal Func<Task>? BeforeCopyCommit { get; set; }

    /// <summary>
    /// Whether <paramref name="now"/> is the very version <paramref name="read"/> describes: the ETag alone is the content's
    /// MD5 here, so a put of the same bytes with other metadata would pass for it.
    /// </summary>
    private static bool IsVersion(ObjectInfo? now, ObjectInfo read) =>
        now is not null && now.ETag == read.ETag && now.LastModified == read.LastModified && now.Size == read.Size;
}
