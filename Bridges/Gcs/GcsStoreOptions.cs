using Gateway.Bridges.Resilience;

namespace Gateway.Bridges.Gcs;

/// <summary>Settings of a Google Cloud Storage store (Gateway:Stores:{name} with Kind = gcs), spoken to through Google.Cloud.Storage.V1.</summary>
public sealed class GcsStoreOptions : IStoreSettings
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

    /// <summary>
    /// Bodies up to this size are read whole, checked against their Content-MD5 and uploaded in one chunk, retried as
    /// a whole on transient failures; larger ones stream through a resumable session chunk by chunk (one attempt).
    /// </summary>
    public long SingleUploadThresholdBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>
    /// Bodies of declared length above <see cref="SingleUploadThresholdBytes"/> and up to this go up as a resumable
    /// session sent in one streamed request (nothing buffered, one attempt); larger ones, and bodies of unknown length,
    /// chunk by chunk through the SDK. 256 MiB by default, as the other cloud stores' single-request cutoffs.
    /// </summary>
    public long ChunkedUploadThresholdBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Size of each resumable-upload chunk (a multiple of 256 KiB); the SDK holds one chunk per chunked upload in memory.</summary>
    public int ChunkBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// The server pages object names in GCS's order (UTF-8 bytes, as S3). False for one that pages in UTF-16 code-unit
    /// order instead, as the Firebase Storage emulator does: the store then says so (<c>Utf16ListingOrder</c>), so
    /// listings resumed after a key compare keys as the server does. Real GCS needs the default.
    /// </summary>
    public bool ServerPagesInTheKindsOrder { get; set; } = true;

    public IReadOnlyList<string> Validate(string storeName)
    {
        var p = $"Gateway:Stores:{storeName}";
        var problems = new List<string>();
        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != "https" && uri.Scheme != "http"))
            problems.Add($"{p}:Endpoint must be an absolute http(s) URL.");
        if (!string.IsNullOrEmpty(CredentialsFile) && !File.Exists(CredentialsFile))
            problems.Add($"{p}:CredentialsFile names a file that does not exist.");
        else if (!string.IsNullOrEmpty(CredentialsFile) && string.IsNullOrEmpty(CredentialsJson) && !IsServiceAccountKey(File.ReadAllText(CredentialsFile)))
            problems.Add($"{p}:CredentialsFile is not a service-account key the Google library can read.");
        if (!string.IsNullOrEmpty(CredentialsJson) && !IsServiceAccountKey(CredentialsJson))
            problems.Add($"{p}:CredentialsJson is not a service-account key the Google library can read.");
        if (Anonymous && (!string.IsNullOrEmpty(CredentialsFile) || !string.IsNullOrEmpty(CredentialsJson)))
            problems.Add($"{p}:Anonymous cannot be combined with CredentialsFile or CredentialsJson.");
        if (SingleUploadThresholdBytes is < 0 or > 256L * 1024 * 1024)
            problems.Add($"{p}:SingleUploadThresholdBytes must be between 0 and 256 MiB.");
        if (ChunkedUploadThresholdBytes < SingleUploadThresholdBytes)
            problems.Add($"{p}:ChunkedUploadThresholdBytes must be at least SingleUploadThresholdBytes.");
        if (ChunkBytes <= 0 || ChunkBytes % (256 * 1024) != 0 || ChunkBytes > 256 * 1024 * 1024)
            problems.Add($"{p}:ChunkBytes must be a multiple of 262144 (256 KiB), at most 256 MiB.");
        return problems;
    }

    // Read as the bridge reads it on its first call, so a broken key stops the start instead of failing every call;
    // the library's message is not kept: it may quote the key.
    static bool IsServiceAccountKey(string json)
    {
        try
        {
            _ = Google.Apis.Auth.OAuth2.CredentialFactory.FromJson<Google.Apis.Auth.OAuth2.ServiceAccountCredential>(json);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException) { return false; }
    }
}
