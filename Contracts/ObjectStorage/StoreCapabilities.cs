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
    /// <summary>Copies that concatenate parts inside the store (<see cref="CopyObjectRequest.SourceParts"/>), with no byte leaving it.</summary>
    public bool ComposeParts { get; init; }
}
