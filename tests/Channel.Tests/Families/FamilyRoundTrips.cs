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
using Gateway.Contracts.Rest;

namespace Gateway.Channel.Tests.Families;

public sealed class ObjectStorageRoundTripTests : FamilyRoundTripTests<IObjectStore>
{
    public static TheoryData<string> Operations => OperationsOf(ObjectStorageFamily.Declaration);
    protected override BridgeFamily<IObjectStore> Family => ObjectStorageFamily.Declaration;
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
