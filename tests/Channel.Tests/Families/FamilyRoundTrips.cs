using Gateway.Channel.Families;
using Gateway.Channel.Families.Catalog;
using Gateway.Channel.Families.Clusters;
using Gateway.Channel.Families.Containers;
using Gateway.Channel.Families.ObjectStorage;
using Gateway.Channel.Families.Rest;
using Gateway.Contracts.Bridges;
using Gateway.Contracts.Clusters;
using Gateway.Contracts.Containers;
using Gateway.Contracts.ObjectStorage;
using Gateway.Contracts.Errors;
using Gateway.Contracts.Rest;

namespace Gateway.Channel.Tests.Families;

public sealed class ObjectStorageRoundTripTests : FamilyRoundTripTests<IObjectStore>
{
    public static TheoryData<string> Operations => OperationsOf(ObjectStorageFamily.Declaration);
    protected override BridgeFamily<IObjectStore> Family => ObjectStorageFamily.Declaration;

    /// <summary>
    /// The bridge host trusts no caller to have checked: a call the store says it cannot run is refused by the host's
    /// dispatcher, never reaching the bridge, even from a client that knows nothing of the store and so sends it.
    /// </summary>
    [Theory]
    [InlineData("list-buckets", nameof(StoreCapabilities.ListBuckets), "listing buckets")]
    [InlineData("create-bucket", nameof(StoreCapabilities.CreateBuckets), "creating buckets")]
    [InlineData("delete-bucket", nameof(StoreCapabilities.CreateBuckets), "deleting buckets")]
    [InlineData("head-object", nameof(StoreCapabilities.ConditionalRequests), "conditional requests (If-Match, If-None-Match)")]
    [InlineData("get-object", nameof(StoreCapabilities.Ranges), "ranged reads")]
    [InlineData("put-object", nameof(StoreCapabilities.UserMetadata), "user metadata")]
    [InlineData("delete-object", nameof(StoreCapabilities.ConditionalRequests), "conditional requests (If-Match, If-None-Match)")]
    [InlineData("copy-object", nameof(StoreCapabilities.ServerSideCopy), "server-side copy")]
    [InlineData("replace-metadata", nameof(StoreCapabilities.UserMetadata), "user metadata")]
    [InlineData("start-multipart-upload", nameof(StoreCapabilities.MultipartUploads), "multipart uploads")]
    [InlineData("upload-part", nameof(StoreCapabilities.MultipartUploads), "multipart uploads")]
    [InlineData("list-parts", nameof(StoreCapabilities.MultipartUploads), "multipart uploads")]
    [InlineData("complete-multipart-upload", nameof(StoreCapabilities.MultipartUploads), "multipart uploads")]
    [InlineData("abort-multipart-upload", nameof(StoreCapabilities.MultipartUploads), "multipart uploads")]
    public async Task The_host_refuses_a_call_the_store_says_it_cannot_run(string name, string capability, string feature)
    {
        var capabilities = Recorder.StoreCapabilities with { };
        typeof(StoreCapabilities).GetProperty(capability)!.SetValue(capabilities, false);
        Recorder.StoreCapabilities = capabilities;
        // The client was built without the store's facts, so it has no capabilities to check: the call goes out.
        Assert.Throws<NotSupportedException>(() => Remote.Capabilities);

        var e = await Assert.ThrowsAnyAsync<GatewayException>(() => InvokeAsync(Family.Find(name)!));

        Assert.Equal((ErrorCode.NotImplemented, $"The store 'fake' does not support {feature}."), (e.Code, e.Message));
        Assert.Empty(Recorder.Calls);
        // An error answer is witnessed and audited like any other, with its code as its status.
        var entry = Assert.Single(await Audit.ReadAsync(0, 10, default));
        Assert.Equal(("object-storage." + name, "not-implemented"), (entry.Operation, entry.Status));
    }

    /// <summary>
    /// What a store's listing did not state (S3 lists no content type or metadata) crosses the channel as nothing: the
    /// gateway's side must not fill in a default of its own.
    /// </summary>
    [Fact]
    public async Task A_listing_items_unstated_facts_cross_as_null()
    {
        var item = new ObjectInfo { Key = "k", Size = 1, ETag = "\"e\"", LastModified = DateTimeOffset.UnixEpoch, ContentType = null, Metadata = null };
        Recorder.Respond = (_, _) => Task.FromResult(new ObjectListing([item], [], null));

        var listing = await Remote.ListObjectsAsync("bucket-1", new ListObjectsRequest(), default);

        var back = Assert.Single(listing.Objects);
        Assert.Equal(("k", (string?)null, (string?)null), (back.Key, back.ContentType, back.ContentMd5));
        Assert.Null(back.Metadata);
    }
}

public sealed class ContainersRoundTripTests : FamilyRoundTripTests<IContainerHost>
{
    public static TheoryData<string> Operations => OperationsOf(ContainersFamily.Declaration);
    protected override BridgeFamily<IContainerHost> Family => ContainersFamily.Declaration;

    protected override object? Sample(Type type) =>
        type == typeof(ContainerCreateRequest) ? new ContainerCreateRequest("busybox:1", "sample-1", Command: ["sh", "-c", "echo hi"],
            Env: new Dictionary<string, string> { ["A"] = "1" }, Labels: new Dictionary<string, string> { ["app"] = "web" })
        : type == typeof(ContainerListQuery) ? new ContainerListQuery(All: true, Limit: 3, Filters: new Dictionary<string, IReadOnlyList<string>> { ["label"] = ["app=web"] })
        : type == typeof(ContainerLogsQuery) ? new ContainerLogsQuery(Follow: true, Timestamps: true, Tail: 3)
        : type == typeof(ContainerExecRequest) ? new ContainerExecRequest(["sh", "-c", "echo hi"],
            new Dictionary<string, string> { ["A"] = "1" }, "/tmp", "1000:1000")
        : null;
}

public sealed class ClustersRoundTripTests : FamilyRoundTripTests<IClusterClient>
{
    public static TheoryData<string> Operations => OperationsOf(ClustersFamily.Declaration);
    protected override BridgeFamily<IClusterClient> Family => ClustersFamily.Declaration;

    protected override object? Sample(Type type) =>
        type == typeof(ClusterListQuery) ? new ClusterListQuery("app=web", 3, "token-1")
        : type == typeof(PodLogsQuery) ? new PodLogsQuery(Container: "web", Follow: true, TailLines: 3)
        : null;
}

public sealed class RestRoundTripTests : FamilyRoundTripTests<IRestUpstream>
{
    public static TheoryData<string> Operations => OperationsOf(RestFamily.Declaration);
    protected override BridgeFamily<IRestUpstream> Family => RestFamily.Declaration;

    protected override object? Sample(Type type) =>
        type == typeof(RestRequest) ? new RestRequest
        {
            Method = "POST",
            Path = "orders/7",
            QueryString = "?q=1",
            Headers = [new("Content-Type", "text/plain"), new("X-Trace", new Microsoft.Extensions.Primitives.StringValues(["a", "b"]))],
            Body = new MemoryStream(Samples.Body),
            ContentLength = Samples.Body.Length,
            Caller = new RestCaller("10.0.0.1", "https", "gw.example", "/v1/rest/fake"),
        }
        : null;
}

public sealed class CatalogRoundTripTests : FamilyRoundTripTests<IBridgeCatalog>
{
    public static TheoryData<string> Operations => OperationsOf(CatalogFamily.Declaration);
    protected override BridgeFamily<IBridgeCatalog> Family => CatalogFamily.Declaration;

    protected override object? Sample(Type type) =>
        type == typeof(IReadOnlyDictionary<string, IReadOnlyList<BridgeDescriptor>>)
            ? new Dictionary<string, IReadOnlyList<BridgeDescriptor>>
            {
                ["object-storage"] =
                [
                    new("archive", "s3", new BridgeStatus(BridgeHealth.Healthy, CircuitStates.Closed, Successes: 3),
                        new Dictionary<string, System.Text.Json.JsonElement> { ["Capabilities"] = System.Text.Json.JsonSerializer.SerializeToElement(new { ranges = false }) }),
                ],
            }
            : null;
}
