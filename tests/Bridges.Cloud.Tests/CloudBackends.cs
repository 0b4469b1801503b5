using Gateway.Testing;

namespace Gateway.Bridges.Cloud.Tests;

/// <summary>The emulators scripts/backends.sh starts (backends.d/s3.sh, azurite.sh, gcs.sh) and how to reach them.</summary>
static class CloudBackends
{
    public static string S3Endpoint => Backends.Require("S3_ENDPOINT", "s3");
    public static string S3AccessKey => Backends.Require("S3_ACCESS_KEY", "s3");
    public static string S3SecretKey => Backends.Require("S3_SECRET_KEY", "s3");

    public static string AzuriteEndpoint => Backends.Require("AZURITE_BLOB_ENDPOINT", "azurite");
    public static string AzuriteAccount => Backends.Require("AZURITE_ACCOUNT_NAME", "azurite");
    public static string AzuriteKey => Backends.Require("AZURITE_ACCOUNT_KEY", "azurite");

    public static string GcsEndpoint => Backends.Require("GCS_EMULATOR_ENDPOINT", "gcs");
    public static string GcsProject => Backends.Require("GCS_EMULATOR_PROJECT", "gcs");

    /// <summary>Fails, naming the backend, when its server does not answer on its port.</summary>
    public static void EnsureAnswers(string backend, string url)
    {
        // A backend that is not running refuses the connection at once; one that is busy (a single-threaded emulator serving
        // another test class's large listing or upload) may take seconds to answer: 5 s once failed a CI run so.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            using var _ = http.GetAsync(url).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new InvalidOperationException($"Backend '{backend}' at {url} does not answer ({e.Message}). Start it with: bash scripts/backends.sh start {backend}", e);
        }
    }

    /// <summary>Gateway settings for an s3rver-backed store "s3" and an Azurite-backed store "azure" (the migration tests).</summary>
    public static Dictionary<string, string> S3AndAzureStores() => new()
    {
        ["Gateway:Stores:s3:Kind"] = "s3",
        ["Gateway:Stores:s3:ServiceUrl"] = S3Endpoint,
        ["Gateway:Stores:s3:ForcePathStyle"] = "true",
        ["Gateway:Stores:s3:AccessKeyId"] = S3AccessKey,
        ["Gateway:Stores:s3:SecretAccessKey"] = S3SecretKey,
        ["Gateway:Stores:s3:PlainPayloads"] = "true",
        ["Gateway:Stores:azure:Kind"] = "azure-blob",
        ["Gateway:Stores:azure:ServiceUri"] = AzuriteEndpoint,
        ["Gateway:Stores:azure:AccountName"] = AzuriteAccount,
        ["Gateway:Stores:azure:AccountKey"] = AzuriteKey,
    };
}
