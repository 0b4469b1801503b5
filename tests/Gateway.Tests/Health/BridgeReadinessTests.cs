using System.Net;
using System.Text.Json;
using Gateway.Testing;
using Gateway.Tests.Observability;
using Xunit;

namespace Gateway.Tests.Health;

/// <summary>
/// /health/ready follows the bridges' circuit breakers: a REST upstream whose address nobody listens on (a released
/// loopback port) fails until its breaker opens; critical, that makes the gateway not ready, otherwise it stays
/// ready and says which bridge is open.
/// </summary>
public sealed class BridgeReadinessTests
{
    private static Dictionary<string, string?> FailingUpstream(string name) => new()
    {
        [$"Gateway:Rest:Upstreams:{name}:BaseUrl"] = $"http://127.0.0.1:{SecretsTests.ClosedPort()}/",
        [$"Gateway:Rest:Upstreams:{name}:Resilience:MaxRetryAttempts"] = "0",
        [$"Gateway:Rest:Upstreams:{name}:Resilience:MinimumThroughput"] = "2",
        [$"Gateway:Rest:Upstreams:{name}:Resilience:FailureRatio"] = "0.5",
        [$"Gateway:Rest:Upstreams:{name}:Resilience:SamplingDuration"] = "00:05:00",
        [$"Gateway:Rest:Upstreams:{name}:Resilience:BreakDuration"] = "00:10:00",
    };

    /// <summary>Calls the upstream until GET /v1/bridges shows its circuit open (the breaker's own state, not a timer).</summary>
    private static async Task OpenCircuitAsync(GatewayServer server, string name)
    {
        for (var i = 0; i < 20; i++)
        {
            using var call = await server.Client.GetAsync($"v1/rest/{name}/ping");
            Assert.False(call.IsSuccessStatusCode);
            var bridges = JsonDocument.Parse(await server.Client.GetStringAsync("v1/bridges")).RootElement;
            var list = bridges.ValueKind == JsonValueKind.Array ? bridges : bridges.EnumerateObject().First(p => p.Value.ValueKind == JsonValueKind.Array).Value;
            var bridge = list.EnumerateArray().Single(b => b.GetProperty("kind").GetString() == "rest" && b.GetProperty("name").GetString() == name);
            if (bridge.GetProperty("circuit").GetString() == "open") return;
        }
        throw new Xunit.Sdk.XunitException($"The circuit of rest/{name} did not open after 20 failed calls.");
    }

    [Fact]
    public async Task An_open_circuit_on_a_critical_bridge_makes_the_gateway_not_ready()
    {
        var settings = FailingUpstream("billing");
        settings["Gateway:Health:CriticalBridges:0"] = "rest/billing";
        await using var server = await GatewayServer.StartAsync(settings);
        Assert.Equal("Healthy", await server.Client.GetStringAsync("health/ready"));

        await OpenCircuitAsync(server, "billing");

        using var ready = await server.Client.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var body = await ready.Content.ReadAsStringAsync();
        Assert.StartsWith("Unhealthy", body);
        Assert.Contains("circuit open on critical bridges: rest/billing", body);
        using var live = await server.Client.GetAsync("health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task An_open_circuit_on_another_bridge_keeps_the_gateway_ready_and_names_it()
    {
        var settings = FailingUpstream("reports");
        // A critical bridge must be a configured one: the test server's healthy local store.
        settings["Gateway:Health:CriticalBridges:0"] = "local";
        await using var server = await GatewayServer.StartAsync(settings);

        await OpenCircuitAsync(server, "reports");

        using var ready = await server.Client.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = await ready.Content.ReadAsStringAsync();
        Assert.StartsWith("Healthy", body);
        Assert.Contains("bridges: Healthy - circuit open on non-critical bridges (still ready): rest/reports", body);
    }

    /// <summary>
    /// The local store has no breaker; it reports its own health: healthy while its folder is there, unhealthy (with the
    /// reason on GET /v1/bridges) once the folder is gone, which makes the gateway not ready when the store is critical.
    /// </summary>
    [Fact]
    public async Task A_local_store_whose_folder_is_gone_is_unhealthy_and_a_critical_one_makes_the_gateway_not_ready()
    {
        var root = Directory.CreateTempSubdirectory("gateway-health-").FullName;
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Stores:files:Kind"] = "local",
            ["Gateway:Stores:files:Root"] = root,
            ["Gateway:Health:CriticalBridges:0"] = "local/files",
        });
        Assert.Equal("healthy", (await LocalBridgeAsync(server)).GetProperty("health").GetString());
        Assert.Equal("Healthy", await server.Client.GetStringAsync("health/ready"));

        Directory.Delete(root, recursive: true);

        var bridge = await LocalBridgeAsync(server);
        Assert.Equal("unhealthy", bridge.GetProperty("health").GetString());
        Assert.Contains("root folder is missing", bridge.GetProperty("lastError").GetString());
        Assert.DoesNotContain(root, bridge.GetRawText());
        using var ready = await server.Client.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("unhealthy critical bridges: local/files", await ready.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// The local store has no resilience pipeline, yet GET /v1/bridges counts its calls: answers (a 404 included, the
    /// store worked) as successes, and a call the store failed (its root folder gone) as a failure.
    /// </summary>
    [Fact]
    public async Task A_local_store_counts_its_calls_on_the_bridge_listing()
    {
        var root = Directory.CreateTempSubdirectory("gateway-health-").FullName;
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Stores:files:Kind"] = "local",
            ["Gateway:Stores:files:Root"] = root,
        });
        var before = await LocalBridgeAsync(server);
        Assert.Equal(0, before.GetProperty("successes").GetInt64());
        Assert.Equal(0, before.GetProperty("failures").GetInt64());

        using (var bucket = await server.Client.PutAsync("v1/stores/files/buckets/counted", null)) Assert.True(bucket.IsSuccessStatusCode, bucket.StatusCode.ToString());
        using (var put = await server.Client.PutAsync("v1/stores/files/buckets/counted/objects/a", new ByteArrayContent("abc"u8.ToArray()))) Assert.True(put.IsSuccessStatusCode, put.StatusCode.ToString());
        using (var missing = await server.Client.GetAsync("v1/stores/files/buckets/counted/objects/none")) Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var after = await LocalBridgeAsync(server);
        Assert.True(after.GetProperty("successes").GetInt64() >= 3, after.GetRawText());
        Assert.Equal(0, after.GetProperty("failures").GetInt64());
        Assert.Equal(JsonValueKind.String, after.GetProperty("lastSuccess").ValueKind);

        // The root folder gone (unmounted): the store cannot answer for any bucket, so not "no such bucket" but 503.
        Directory.Delete(root, recursive: true);
        using (var failed = await server.Client.PutAsync("v1/stores/files/buckets/counted/objects/b", new ByteArrayContent("abc"u8.ToArray())))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.Contains("root folder is missing", await failed.Content.ReadAsStringAsync());
        }
        Assert.False(Directory.Exists(root), "a write must not make the store's root again");
        var broken = await LocalBridgeAsync(server);
        Assert.Equal(1, broken.GetProperty("failures").GetInt64());
        Assert.Equal(JsonValueKind.String, broken.GetProperty("lastFailure").ValueKind);
    }

    private static async Task<JsonElement> LocalBridgeAsync(GatewayServer server)
    {
        var bridges = JsonDocument.Parse(await server.Client.GetStringAsync("v1/bridges")).RootElement;
        var list = bridges.ValueKind == JsonValueKind.Array ? bridges : bridges.EnumerateObject().First(p => p.Value.ValueKind == JsonValueKind.Array).Value;
        return list.EnumerateArray().Single(b => b.GetProperty("kind").GetString() == "local" && b.GetProperty("name").GetString() == "files").Clone();
    }

    [Fact]
    public async Task A_malformed_critical_bridge_stops_start_up_naming_the_setting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Health:CriticalBridges:0"] = "rest/billing/extra",
        }));
        Assert.Contains("Gateway:Health:CriticalBridges:0", error.ToString());
    }

    [Fact]
    public async Task A_critical_bridge_that_names_no_configured_bridge_stops_start_up_naming_the_setting()
    {
        // A typo ("biling") left readiness without its gate: the gateway started and stayed ready while billing was down.
        var settings = FailingUpstream("billing");
        settings["Gateway:Health:CriticalBridges:0"] = "billing";
        settings["Gateway:Health:CriticalBridges:1"] = "rest/biling";
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayServer.StartAsync(settings));
        Assert.Contains("Gateway:Health:CriticalBridges:1: no configured bridge is named 'rest/biling'", error.ToString());
        Assert.DoesNotContain("CriticalBridges:0", error.ToString());
    }
}
