using Gateway.Bridges.Resilience;

namespace Gateway.Bridges.AzureBlob;

/// <summary>Settings of an Azure Blob store (Gateway:Stores:{name} with Kind = azure-blob). Buckets are containers.</summary>
public sealed class AzureBlobStoreOptions : IStoreSettings
{
    public const string ConnectionStringVariable = "AZURE_STORAGE_CONNECTION_STRING";

    /// <summary>A storage connection string; when no credential setting is given, AZURE_STORAGE_CONNECTION_STRING is used.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The Blob service endpoint, e.g. https://account.blob.core.windows.net or an emulator's http://127.0.0.1:10000/account.</summary>
    public string? ServiceUri { get; set; }

    /// <summary>Shared-key credentials for <see cref="ServiceUri"/>.</summary>
    public string? AccountName { get; set; }
    public string? AccountKey { get; set; }

    /// <summary>A SAS token for <see cref="ServiceUri"/>, instead of a key.</summary>
    public string? SasToken { get; set; }

    /// <summary>
    /// Bodies up to this size are read whole, checked against their Content-MD5 and sent as one Put Blob, retried as a
    /// whole on transient failures. Larger bodies of declared length up to <see cref="BlockUploadThresholdBytes"/> stream
    /// as one Put Blob (nothing buffered, one attempt); the rest are staged as blocks and committed with one block list.
    /// </summary>
    public long SingleUploadThresholdBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// Bodies of declared length above this, and bodies of unknown length above one block, go up as blocks. 256 MiB by
    /// default, the Azure SDK's own single-upload threshold; Azure takes at most 5,000 MiB in one Put Blob.
    /// </summary>
    public long BlockUploadThresholdBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Largest single Put Blob Azure accepts (service version 2019-12-12 and later).</summary>
    public const long MaxPutBlobBytes = 5000L * 1024 * 1024;

    /// <summary>Size of each staged block (grown for very large declared lengths); one buffer of this size is held per block in flight.</summary>
    public int BlockSizeBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Blocks staged at once; memory per upload is about BlockSizeBytes × (this + 1).</summary>
    public int MaxParallelBlocks { get; set; } = 3;

    /// <summary>Longest wait for a server-side copy the service runs asynchronously.</summary>
    public TimeSpan CopyTimeout { get; set; } = TimeSpan.FromMinutes(10);

    public string? EffectiveConnectionString =>
        !string.IsNullOrEmpty(ConnectionString) ? ConnectionString
        : string.IsNullOrEmpty(ServiceUri) ? Environment.GetEnvironmentVariable(ConnectionStringVariable)
        : null;

    public IReadOnlyList<string> Validate(string storeName)
    {
        var p = $"Gateway:Stores:{storeName}";
        var problems = new List<string>();
        if (string.IsNullOrEmpty(EffectiveConnectionString))
        {
            if (string.IsNullOrEmpty(ServiceUri) || !Uri.TryCreate(ServiceUri, UriKind.Absolute, out _))
                problems.Add($"{p}:ServiceUri must be an absolute URL (or set {p}:ConnectionString, or {ConnectionStringVariable}).");
            else if (string.IsNullOrEmpty(SasToken) && (string.IsNullOrEmpty(AccountName) || string.IsNullOrEmpty(AccountKey)))
                problems.Add($"{p}:AccountName and {p}:AccountKey (or {p}:SasToken) are needed with ServiceUri.");
            if (!string.IsNullOrEmpty(AccountKey) && !IsBase64(AccountKey))
                problems.Add($"{p}:AccountKey must be the base64 account key.");
        }
        else if (!IsReadable(EffectiveConnectionString))
            problems.Add(string.IsNullOrEmpty(ConnectionString)
                ? $"{ConnectionStringVariable} (used by {p}) is not a storage connection string the Azure SDK can read."
                : $"{p}:ConnectionString is not a storage connection string the Azure SDK can read.");
        if (BlockSizeBytes < 1024 * 1024)
            problems.Add($"{p}:BlockSizeBytes must be at least 1 MiB.");
        if (SingleUploadThresholdBytes < 0 || SingleUploadThresholdBytes > 256L * 1024 * 1024)
            problems.Add($"{p}:SingleUploadThresholdBytes must be between 0 and 256 MiB.");
        if (BlockUploadThresholdBytes < SingleUploadThresholdBytes || BlockUploadThresholdBytes > MaxPutBlobBytes)
            problems.Add($"{p}:BlockUploadThresholdBytes must be between SingleUploadThresholdBytes and 5000 MiB (5242880000), Azure's largest single Put Blob.");
        if (MaxParallelBlocks is < 1 or > 64)
            problems.Add($"{p}:MaxParallelBlocks must be between 1 and 64.");
        if (CopyTimeout <= TimeSpan.Zero)
            problems.Add($"{p}:CopyTimeout must be positive.");
        return problems;
    }

    // The SDK's own parser, so what passes here is what the bridge can build; its message is not kept: it may quote the string.
    static bool IsReadable(string connectionString)
    {
        try
        {
            _ = new Azure.Storage.Blobs.BlobServiceClient(connectionString);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or UriFormatException or InvalidOperationException) { return false; }
    }

    static bool IsBase64(string s) => Convert.TryFromBase64String(s, new byte[s.Length], out _);
}
