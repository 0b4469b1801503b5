using System.Net;
using Gateway.Testing;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.Gcs;

/// <summary>
/// Readiness over GCS stores. A store that answers the bucket listing with a refusal is reachable and keeps the gateway
/// ready; until this test the Firebase Storage emulator (which has no bucket listing: 404) made /health/ready 503 for
/// good, as real GCS does for credentials scoped to their buckets (403), and so did a store without a ProjectId.
/// </summary>
public sealed class GcsReadinessTests
{
    [Fact]
    public async Task A_store_that_refuses_the_bucket_listing_keeps_the_gateway_ready_and_is_named()
    {
        CloudBackends.EnsureAnswers("gcs", CloudBackends.GcsEndpoint + "/storage/v1/b/ready-check/o");
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Stores:gcs:Kind"] = "gcs",
            ["Gateway:Stores:gcs:Endpoint"] = CloudBackends.GcsEndpoint,
            ["Gateway:Stores:gcs:ProjectId"] = CloudBackends.GcsProject,
            ["Gateway:Stores:gcs:Anonymous"] = "true",
        });
        using var listing = await server.Client.GetAsync("v1/stores/gcs/buckets");
        Assert.Equal(HttpStatusCode.NotFound, listing.StatusCode);

        using var ready = await server.Client.GetAsync("health/ready");
        var body = await ready.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("stores refusing the bucket listing (still ready): gcs (not-found)", body);
    }

    [Fact]
    public async Task A_store_without_a_project_lists_no_buckets_and_is_not_asked_for_readiness()
    {
        // No server behind the endpoint at all: a store asked for readiness would make it 503.
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Stores:bucketonly:Kind"] = "gcs",
            ["Gateway:Stores:bucketonly:Endpoint"] = "http://127.0.0.1:9",
            ["Gateway:Stores:bucketonly:Anonymous"] = "true",
        });
        Assert.Equal("Healthy", await server.Client.GetStringAsync("health/ready"));
        using var listing = await server.Client.GetAsync("v1/stores/bucketonly/buckets");
        Assert.Equal(HttpStatusCode.NotImplemented, listing.StatusCode);
        Assert.Contains("not-implemented", await listing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_store_that_does_not_answer_makes_the_gateway_unready()
    {
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Stores:gone:Kind"] = "gcs",
            ["Gateway:Stores:gone:Endpoint"] = "http://127.0.0.1:9",
            ["Gateway:Stores:gone:ProjectId"] = "p",
            ["Gateway:Stores:gone:Anonymous"] = "true",
        });
        using var ready = await server.Client.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("Stores not answering: gone", await ready.Content.ReadAsStringAsync());
    }
}
