namespace Gateway.Contracts.ObjectStorage;

/// <summary>What a store supports, as rclone's Features: callers ask instead of catching failures.</summary>
public sealed record StoreCapabilities
{
    public bool CreateBuckets { get; init; } = true;
    public bool ListBuckets { get; init; } = true;
    public bool ServerSideCopy { get; init; } = true;
    public bool Ranges { get; init; } = true;
    public bool UserMetadata { get; init; } = true;
    public bool ConditionalRequests { get; init; } = true;
    /// <summary>Create-only writes (If-None-Match: *) enforced atomically by the store.</summary>
    public bool CreateOnly { get; init; } = true;
    /// <summary>Content hashes the store keeps and checks: "md5", "crc32c".</summary>
    public IReadOnlyList<string> Hashes { get; init; } = ["md5"];
    /// <summary>Largest object the store accepts, in bytes; null when unbounded.</summary>
    public long? MaxObjectBytes { get; init; }
    /// <summary>Above this size uploads go up in parts (multipart / blocks / resumable); null when single-shot only.</summary>
    public long? MultipartThresholdBytes { get; init; }
    public int MaxKeyBytes { get; init; } = 1024;
    /// <summary>Bucket names may hold '.' (S3, GCS, the local store); Azure container names cannot.</summary>
    public bool DottedBucketNames { get; init; } = true;
    /// <summary>Copies that concatenate parts inside the store (<see cref="CopyObjectRequest.SourceParts"/>), with no byte leaving it.</summary>
    public bool ComposeParts { get; init; }
    /// <summary>
    /// The multipart operations (start, upload-part, list-parts, complete, abort) run natively, so a writer can resume an
    /// upload part by part. Without it callers write whole objects with put-object.
    /// </summary>
    public bool MultipartUploads { get; init; }
    /// <summary>Smallest part other than the last a multipart upload accepts (S3: 5 MiB).</summary>
    public long MinPartBytes { get; init; } = 5L * 1024 * 1024;
    /// <summary>Largest part a multipart upload accepts.</summary>
    public long MaxPartBytes { get; init; } = 5L * 1024 * 1024 * 1024;
    /// <summary>
    /// The store lists keys in UTF-16 code-unit order (Azure Blob Storage), not in S3's UTF-8 byte order: the two differ
    /// for characters above U+FFFF against U+E000-U+FFFF. A listing resumed after a key must compare in the store's order.
    /// </summary>
    public bool Utf16ListingOrder { get; init; }

    /// <summary>The order the store lists keys in: <see cref="Utf8KeyOrder"/>, or ordinal (UTF-16) with <see cref="Utf16ListingOrder"/>.</summary>
    public IComparer<string> ListingOrder() => Utf16ListingOrder ? StringComparer.Ordinal : Utf8KeyOrder.Instance;
}
