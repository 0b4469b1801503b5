namespace Gateway.Contracts.ObjectStorage;

public sealed record BucketInfo(string Name, DateTimeOffset? CreatedAt);

public sealed record ObjectInfo
{
    public required string Key { get; init; }
    public required long Size { get; init; }
    /// <summary>Quoted entity tag, e.g. <c>"9a0364b9e99bb480dd25e1f0284c8555"</c>.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("etag")]
    public required string ETag { get; init; }
    public required DateTimeOffset LastModified { get; init; }
    /// <summary>
    /// As stored; null where the store did not say, which only a listing item does (S3's ListObjectsV2 gives no content
    /// type). HEAD, GET, PUT and copy answers always carry it.
    /// </summary>
    public string? ContentType { get; init; }
    /// <summary>Base64 MD5 of the whole object when the store knows it.</summary>
    public string? ContentMd5 { get; init; }
    /// <summary>Base64 big-endian CRC32C of the whole object when the store knows it.</summary>
    public string? Crc32c { get; init; }
    /// <summary>
    /// User metadata, names lower-case without the <c>x-meta-</c> prefix; null where the store did not say, as
    /// <see cref="ContentType"/> (a listing item of a store whose listings give no metadata). Empty: the object has none.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    /// <summary>Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires as stored; null when none (listings may leave them out).</summary>
    public ContentHeaders? ContentHeaders { get; init; }

    /// <summary>
    /// <see cref="ContentType"/> of an answer that states it (HEAD, GET, PUT, copy). A listing item without it throws
    /// instead of passing for an object of another type: whoever needs it reads the object.
    /// </summary>
    public string StatedContentType() => ContentType ?? throw Unstated("content type");

    /// <summary><see cref="Metadata"/> of an answer that states it, as <see cref="StatedContentType"/>.</summary>
    public IReadOnlyDictionary<string, string> StatedMetadata() => Metadata ?? throw Unstated("metadata");

    /// <summary>
    /// The entries <see cref="Metadata"/> states, none where it is unstated: for a reader of one entry (a kept checksum, a
    /// tag count) to whom an entry not listed and an entry not there are both absent.
    /// </summary>
    public IReadOnlyDictionary<string, string> MetadataOrNone() => Metadata ?? ObjectMetadata.None;

    private InvalidOperationException Unstated(string what) =>
        new($"The store did not state the {what} of '{Key}' (a listing item): read the object for it.");
}

public sealed record ListObjectsRequest
{
    public string? Prefix { get; init; }
    public string? Delimiter { get; init; }
    public int PageSize { get; init; } = 1000;
    /// <summary>Opaque token from a previous page; its format belongs to the store.</summary>
    public string? PageToken { get; init; }
}

public sealed record ObjectListing(
    IReadOnlyList<ObjectInfo> Objects,
    IReadOnlyList<string> CommonPrefixes,
    string? NextPageToken);

/// <summary>HTTP-style preconditions. ETags are compared as given (quoted); "*" matches any existing object.</summary>
public sealed record ObjectConditions
{
    public static readonly ObjectConditions None = new();
    public IReadOnlyList<string>? IfMatch { get; init; }
    public IReadOnlyList<string>? IfNoneMatch { get; init; }
    public bool IsEmpty => IfMatch is null && IfNoneMatch is null;
}

/// <summary>An inclusive byte range already resolved against nothing: either From..To, From.. or the last Suffix bytes.</summary>
public sealed record ByteRange(long? From, long? To, long? SuffixLength)
{
    /// <summary>Resolves against the object size; null when unsatisfiable.</summary>
    public (long Offset, long Length)? Resolve(long size)
    {
        if (SuffixLength is { } n)
        {
            if (n <= 0 || size == 0) return null;
            var len = Math.Min(n, size);
            return (size - len, len);
        }
        var from = From ?? 0;
        if (from >= size) return null;
        var to = To is { } t && t < size ? t : size - 1;
        return (from, to - from + 1);
    }
}

public sealed record GetObjectOptions
{
    public ObjectConditions Conditions { get; init; } = ObjectConditions.None;
    public ByteRange? Range { get; init; }
}

/// <summary>An open object. <see cref="Offset"/>/<see cref="Length"/> describe the part being streamed.</summary>
public sealed class ObjectContent(ObjectInfo info, Stream body, long offset, long length, bool isPartial) : IAsyncDisposable, IDisposable
{
    public ObjectInfo Info { get; } = info;
    public Stream Body { get; } = body;
    public long Offset { get; } = offset;
    public long Length { get; } = length;
    public bool IsPartial { get; } = isPartial;
    public ValueTask DisposeAsync() => Body.DisposeAsync();
    public void Dispose() => Body.Dispose();
}

public sealed record PutObjectOptions
{
    public string ContentType { get; init; } = "application/octet-stream";
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    /// <summary>Standard headers the object keeps and answers on GET/HEAD; null for none.</summary>
    public ContentHeaders? ContentHeaders { get; init; }
    /// <summary>Base64 MD5 the caller sent; the store rejects the write with BadDigest when the body differs.</summary>
    public string? ContentMd5 { get; init; }
    /// <summary>
    /// The caller needs the body's MD5 in the answer even where the store keeps none (an S3 multipart put, which
    /// otherwise hashes nothing): the S3 front door's PutObject answers it as the ETag, which S3 clients compare.
    /// </summary>
    public bool ReportMd5 { get; init; }
    /// <summary>Declared length when known (Content-Length), -1 otherwise.</summary>
    public long ContentLength { get; init; } = -1;
    public ObjectConditions Conditions { get; init; } = ObjectConditions.None;
}

public enum MetadataDirective { Copy, Replace }

public sealed record CopyObjectRequest
{
    public required string SourceBucket { get; init; }
    public required string SourceKey { get; init; }
    public required string TargetBucket { get; init; }
    public required string TargetKey { get; init; }
    /// <summary>Conditions on the source object.</summary>
    public ObjectConditions SourceConditions { get; init; } = ObjectConditions.None;
    /// <summary>Conditions on the target (e.g. If-None-Match: * for create-only).</summary>
    public ObjectConditions TargetConditions { get; init; } = ObjectConditions.None;
    public MetadataDirective MetadataDirective { get; init; } = MetadataDirective.Copy;
    public string? ContentType { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    /// <summary>With <see cref="MetadataDirective.Replace"/>: the target's standard headers (null: none); ignored for Copy.</summary>
    public ContentHeaders? ContentHeaders { get; init; }

    /// <summary>
    /// When set, the target becomes these objects of <see cref="SourceBucket"/> concatenated in order (S3's
    /// CompleteMultipartUpload), each read under If-Match on its ETag, so a part replaced meanwhile fails the copy and
    /// leaves the target as it was. Only a store whose <see cref="StoreCapabilities.ComposeParts"/> is true takes it;
    /// others answer not-supported. <see cref="SourceKey"/> then names what the parts belong to and is not read, and
    /// callers set <see cref="SourceConditions"/> to If-None-Match: * (<see cref="ComposeGuard"/>): a store, or a wrapper,
    /// that does not know this field and copies <see cref="SourceKey"/> instead fails on that condition and writes nothing.
    /// </summary>
    public IReadOnlyList<CopySourcePart>? SourceParts { get; init; }

    /// <summary>
    /// The write a copy becomes when a store streams the source into the target itself: content type and metadata kept
    /// or replaced as <see cref="MetadataDirective"/> says, the target's conditions applied.
    /// </summary>
    public PutObjectOptions StreamedCopyOptions(ObjectInfo source, long length)
    {
        var replace = MetadataDirective == MetadataDirective.Replace;
        return new PutObjectOptions
        {
            ContentType = replace ? ContentType ?? source.StatedContentType() : source.StatedContentType(),
            Metadata = replace ? Metadata ?? new Dictionary<string, string>() : source.StatedMetadata(),
            ContentHeaders = replace ? ContentHeaders : source.ContentHeaders,
            ContentLength = length,
            Conditions = TargetConditions,
        };
    }

    /// <summary>
    /// A copy of <paramref name="current"/> onto itself with <paramref name="metadata"/> and everything else kept, pinned to
    /// the version read: how a store without a metadata-only update runs <see cref="IObjectStore.ReplaceMetadataAsync"/>.
    /// </summary>
    public static CopyObjectRequest ReplacingMetadata(string bucket, string key, ObjectInfo current, IReadOnlyDictionary<string, string> metadata)
    {
        var pinned = new ObjectConditions { IfMatch = [current.ETag] };
        return new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = key,
            TargetBucket = bucket,
            TargetKey = key,
            SourceConditions = pinned,
            TargetConditions = pinned,
            MetadataDirective = MetadataDirective.Replace,
            ContentType = current.ContentType,
            Metadata = metadata,
            ContentHeaders = ContentHeaders.OrNull(current.ContentHeaders?.Sendable()),
        };
    }

    /// <summary>The <see cref="SourceConditions"/> a composing copy carries (see <see cref="SourceParts"/>).</summary>
    public static ObjectConditions ComposeGuard { get; } = new() { IfNoneMatch = ["*"] };

    /// <summary>For stores without <see cref="StoreCapabilities.ComposeParts"/>: refuse a composing copy instead of copying <see cref="SourceKey"/>.</summary>
    public void RejectSourceParts(string kind)
    {
        if (SourceParts is not null)
            throw new Errors.GatewayException(Errors.ErrorCode.NotSupported, $"A {kind} store cannot compose an object from parts.");
    }
}

/// <summary>One object to concatenate in a composing copy, with the ETag it must still have.</summary>
public sealed record CopySourcePart(string Key, string ETag);
