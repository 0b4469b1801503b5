using Gateway.Testing.Conformance;

namespace Gateway.Bridges.Cloud.Tests.Gcs;

/// <summary>
/// The object-store conformance suite against the Firebase Storage emulator (backend "gcs"), with bucket
/// management stubbed by <see cref="GcsApiFront"/> and routed by <see cref="GcsTestEndpoint"/>.
/// </summary>
public sealed class GcsConformanceTests : ObjectStoreConformanceTests
{
    static readonly Lazy<GcsTestEndpoint> Endpoint = new(() =>
        GcsTestEndpoint.StartAsync(CloudBackends.GcsEndpoint, new GcsApiFront(CloudBackends.GcsEndpoint, CloudBackends.GcsProject)).GetAwaiter().GetResult());

    protected override IReadOnlyDictionary<string, string?> StoreSettings => new Dictionary<string, string?>
    {
        ["Kind"] = "gcs",
        ["Endpoint"] = Endpoint.Value.Url,
        ["ProjectId"] = CloudBackends.GcsProject,
        ["Anonymous"] = "true",
    };

    protected override void EnsureBackendAvailable() =>
        CloudBackends.EnsureAnswers("gcs", CloudBackends.GcsEndpoint + "/storage/v1/b/ready-check/o");

    /// <summary>10,000 PUTs to the emulator take minutes on CI; GATEWAY_CONFORMANCE_MANY_OBJECTS=10000 runs the full count.</summary>
    protected override int ManyObjects => 1_000;

    protected override string? ListingOrderDeviation =>
        "The Firebase Storage emulator does not list keys with characters outside ASCII in byte order " +
        "(it put 'mb/a' after 'mb/a\U0010FFFD' on one page); ASCII keys come in order.";
}
