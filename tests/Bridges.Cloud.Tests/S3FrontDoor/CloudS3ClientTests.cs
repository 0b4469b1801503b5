using Gateway.Bridges.Cloud.Tests.Gcs;
using Gateway.Testing.S3;

namespace Gateway.Bridges.Cloud.Tests.S3FrontDoor;

/// <summary>The S3 front door over an Azurite-backed store, driven by the real S3 clients.</summary>
public sealed class AzureBlobS3ClientTests : S3ClientSuite
{
    protected override IReadOnlyDictionary<string, string?> StoreSettings => new Dictionary<string, string?>
    {
        ["Kind"] = "azure-blob",
        ["ServiceUri"] = CloudBackends.AzuriteEndpoint,
        ["AccountName"] = CloudBackends.AzuriteAccount,
        ["AccountKey"] = CloudBackends.AzuriteKey,
    };

    protected override void EnsureBackendAvailable() =>
        CloudBackends.EnsureAnswers("azurite", CloudBackends.AzuriteEndpoint + "?comp=list");

    // Azure lists in UTF-16 code-unit order, and so does Azurite.
    protected override bool StoreListsInUtf16Order => true;
}

/// <summary>The S3 front door over a GCS-emulator-backed store (bucket management via <see cref="GcsApiFront"/>).</summary>
public sealed partial class GcsS3ClientTests : S3ClientSuite
{
    private static readonly Lazy<GcsTestEndpoint> Endpoint = new(() =>
        GcsTestEndpoint.StartAsync(CloudBackends.GcsEndpoint, new GcsApiFront(CloudBackends.GcsEndpoint, CloudBackends.GcsProject)).GetAwaiter().GetResult());

    protected override IReadOnlyDictionary<string, string?> StoreSettings => new Dictionary<string, string?>
    {
        ["Kind"] = "gcs",
        ["Endpoint"] = Endpoint.Value.Url,
        ["ProjectId"] = CloudBackends.GcsProject,
        ["Anonymous"] = "true",
        // The emulator pages in UTF-16 code-unit order; real GCS in UTF-8 byte order, the setting's default.
        ["ServerPagesInTheKindsOrder"] = "false",
    };

    protected override void EnsureBackendAvailable() =>
        CloudBackends.EnsureAnswers("gcs", CloudBackends.GcsEndpoint + "/storage/v1/b/ready-check/o");

    protected override bool StoreListsInUtf16Order => true;

    // The emulator lists objects of any bucket name; real GCS answers 404 for a missing bucket.
    protected override bool MissingBucketsVisible => false;

    [Xunit.Fact]
    public Task Front_door_serves_an_object_holding_what_no_header_can_carry() => An_object_holding_what_no_header_can_carry_is_served_with_safe_headers();

    /// <summary>The bridge's HTTP client refuses non-ASCII upload headers; the emulator's JSON multipart upload takes them, as GCS does.</summary>
    protected override async Task WriteForeignObjectAsync(string key, byte[] body, Gateway.Contracts.ObjectStorage.PutObjectOptions options)
    {
        var resource = new System.Text.Json.Nodes.JsonObject
        {
            ["name"] = key,
            ["contentType"] = options.ContentType,
            ["contentDisposition"] = options.ContentHeaders?.ContentDisposition,
            ["cacheControl"] = options.ContentHeaders?.CacheControl,
            ["metadata"] = new System.Text.Json.Nodes.JsonObject(options.Metadata!.Select(m => KeyValuePair.Create(m.Key, (System.Text.Json.Nodes.JsonNode?)m.Value))),
        };
        using var content = new MultipartContent("related", "foreign-object-boundary")
        {
            new StringContent(resource.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
            new ByteArrayContent(body) { Headers = { ContentType = new("application/octet-stream") } },
        };
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{CloudBackends.GcsEndpoint}/upload/storage/v1/b/{Bucket}/o?uploadType=multipart", content);
        Xunit.Assert.True(response.IsSuccessStatusCode, $"emulator upload: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}

/// <summary>The S3 front door over an S3 store (s3rver): S3 clients reach an S3 service through the gateway's audit.</summary>
public sealed class S3StoreS3ClientTests : S3ClientSuite
{
    protected override IReadOnlyDictionary<string, string?> StoreSettings => new Dictionary<string, string?>
    {
        ["Kind"] = "s3",
        ["ServiceUrl"] = CloudBackends.S3Endpoint,
        ["ForcePathStyle"] = "true",
        ["AccessKeyId"] = CloudBackends.S3AccessKey,
        ["SecretAccessKey"] = CloudBackends.S3SecretKey,
        ["PlainPayloads"] = "true", // s3rver cannot decode aws-chunked bodies
        // s3rver has no ListParts and no AbortMultipartUpload, which the front door's native path needs: its uploads use
        // the parts area, as a real S3 store's would only if this were set.
        ["Capabilities:MultipartUploads"] = "false",
    };

    // s3rver, raced on one key, cuts reads short and answers copies 500 or with another copy's ETag, also without the gateway.
    protected override bool StoreIsSafeWhenOneKeyIsRaced => false;

    protected override void EnsureBackendAvailable() => CloudBackends.EnsureAnswers("s3", CloudBackends.S3Endpoint);
}
