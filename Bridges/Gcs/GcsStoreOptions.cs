namespace Gateway.Bridges.Gcs;

/// <summary>Settings of a Google Cloud Storage store (Gateway:Stores:{name} with Kind = gcs), spoken to over the JSON API.</summary>
public sealed class GcsStoreOptions
{
    public const string CredentialsVariable = "GOOGLE_APPLICATION_CREDENTIALS";

    /// <summary>Root of the JSON API (both /storage/v1 and /upload/storage/v1 live under it); override for emulators.</summary>
    public string Endpoint { get; set; } = "https://storage.googleapis.com";

    /// <summary>Project that owns the buckets (needed to list and create buckets).</summary>
    public string? ProjectId { get; set; }

    /// <summary>A service-account key file; when neither this nor <see cref="CredentialsJson"/> is set, Application Default Credentials are used ({GOOGLE_APPLICATION_CREDENTIALS}, gcloud, metadata server).</summary>
    public string? CredentialsFile { get; set; }

    /// <summary>A service-account key as JSON text.</summary>
    public string? CredentialsJson { get; set; }

    /// <summary>Send no credentials at all (public buckets and emulators).</summary>
    public bool Anonymous { get; set; }

    /// <summary>Objects up to this size go up in one multipart request; larger ones through a resumable session.</summary>
    public long SingleUploadThresholdBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>
    /// 0 (default, Google's advice): a resumable upload of known length streams its body in one request.
    /// Otherwise the body goes up in chunks of this size (a multiple of 256 KiB), each retried on its own.
    /// Bodies of unknown length always go up in chunks (of 8 MiB when this is 0).
    /// </summary>
    public int ResumableChunkBytes { get; set; }

    public IReadOnlyList<string> Validate(string storeName)
    {
        var p = $"Gateway:Stores:{storeName}";
        var problems = new List<string>();
        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != "https" && uri.Scheme != "http"))
            problems.Add($"{p}:Endpoint must be an absolute http(s) URL.");
        if (!string.IsNullOrEmpty(CredentialsFile) && !File.Exists(CredentialsFile))
            problems.Add($"{p}:CredentialsFile names a file that does not exist.");
        if (Anonymous && (!string.IsNullOrEmpty(CredentialsFile) || !string.IsNullOrEmpty(CredentialsJson)))
            problems.Add($"{p}:Anonymous cannot be combined with CredentialsFile or CredentialsJson.");
        if (SingleUploadThresholdBytes is < 0 or > 256L * 1024 * 1024)
            problems.Add($"{p}:SingleUploadThresholdBytes must be between 0 and 256 MiB.");
        if (ResumableChunkBytes < 0 || ResumableChunkBytes % (256 * 1024) != 0)
            problems.Add($"{p}:ResumableChunkBytes must be 0 or a multiple of 262144 (256 KiB).");
        return problems;
    }
}
