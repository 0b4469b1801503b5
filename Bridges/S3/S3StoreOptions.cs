using Gateway.Bridges.Resilience;

namespace Gateway.Bridges.S3;

/// <summary>Settings of an S3 store (Gateway:Stores:{name} with Kind = s3).</summary>
public sealed class S3StoreOptions : IStoreSettings
{
    /// <summary>Endpoint override for S3-compatible services (MinIO, Ceph, emulators); empty means AWS itself.</summary>
    public string? ServiceUrl { get; set; }

    public string Region { get; set; } = "us-east-1";

    /// <summary>Address buckets as https://host/bucket instead of https://bucket.host (most S3-compatible services need it).</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>Static credentials; when empty the AWS SDK's default chain is used (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, instance roles).</summary>
    public string? AccessKeyId { get; set; }
    public string? SecretAccessKey { get; set; }
    public string? SessionToken { get; set; }

    /// <summary>
    /// Send request bodies as plain, fully signed payloads instead of aws-chunked streaming signatures and
    /// trailing checksums, for S3-compatible services that cannot decode aws-chunked bodies.
    /// </summary>
    public bool PlainPayloads { get; set; }

    /// <summary>
    /// A body of declared length up to this goes up as one streamed PutObject (nothing buffered, but no per-part retry);
    /// larger ones, and bodies of unknown length above one part, as multipart uploads. rclone's upload cutoff, 200 MiB,
    /// by default; S3 takes at most 5 GiB in one PutObject.
    /// </summary>
    public long MultipartThresholdBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>Largest single PutObject S3 accepts.</summary>
    public const long MaxSinglePutBytes = 5L * 1024 * 1024 * 1024;

    /// <summary>Parts of the native multipart operations the bridge holds in one buffer to send with their Content-MD5 (at least PartSizeBytes).</summary>
    public const int BufferedPartBytes = 16 * 1024 * 1024;

    /// <summary>Size of each multipart part (grown for very large declared lengths); one buffer of this size is held per part in flight.</summary>
    public int PartSizeBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Parts uploaded at once; memory per upload is about PartSizeBytes × (this + 1).</summary>
    public int MaxParallelParts { get; set; } = 3;

    public IReadOnlyList<string> Validate(string storeName)
    {
        var p = $"Gateway:Stores:{storeName}";
        var problems = new List<string>();
        if (!string.IsNullOrEmpty(ServiceUrl) && !Uri.TryCreate(ServiceUrl, UriKind.Absolute, out _))
            problems.Add($"{p}:ServiceUrl must be an absolute http(s) URL.");
        if (string.IsNullOrWhiteSpace(Region))
            problems.Add($"{p}:Region must name a region (e.g. us-east-1).");
        if (string.IsNullOrEmpty(AccessKeyId) != string.IsNullOrEmpty(SecretAccessKey))
            problems.Add($"{p}:AccessKeyId and {p}:SecretAccessKey must be given together (or neither, to use the AWS default credential chain).");
        if (PartSizeBytes < 5 * 1024 * 1024)
            problems.Add($"{p}:PartSizeBytes must be at least 5 MiB (5242880), S3's minimum part size.");
        if (MultipartThresholdBytes < PartSizeBytes || MultipartThresholdBytes > MaxSinglePutBytes)
            problems.Add($"{p}:MultipartThresholdBytes must be between PartSizeBytes and 5 GiB (5368709120), S3's largest single PutObject.");
        if (MaxParallelParts is < 1 or > 64)
            problems.Add($"{p}:MaxParallelParts must be between 1 and 64.");
        return problems;
    }
}
