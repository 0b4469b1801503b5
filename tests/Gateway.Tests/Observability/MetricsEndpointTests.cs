using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Observability;

/// <summary>/metrics: the Prometheus scrape of the gateway's, ASP.NET Core's and the runtime's metrics, behind scope read:metrics.</summary>
public sealed class MetricsEndpointTests
{
    private static (string Key, Dictionary<string, string?> Settings) KeyWithScope(string name, string scope)
    {
        var key = "gwk_test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        return (key, new Dictionary<string, string?>
        {
            [$"Gateway:Security:ApiKeys:{name}:Hash"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))),
            [$"Gateway:Security:ApiKeys:{name}:Scopes:0"] = scope,
        });
    }

    private static HttpRequestMessage Scrape(string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "metrics");
        if (key is not null) request.Headers.Add("X-Api-Key", key);
        return request;
    }

    [Fact]
    public async Task A_scrape_shows_bridge_calls_by_kind_name_operation_outcome_and_error_code_and_http_routes()
    {
        var (admin, settings) = KeyWithScope("admin", "admin");
        var (scraper, scraperSettings) = KeyWithScope("scraper", "read:metrics");
        foreach (var (k, v) in scraperSettings) settings[k] = v;
        await using var server = await GatewayServer.StartAsync(settings);
        using var client = server.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", admin);

        Assert.Equal(HttpStatusCode.Created, (await client.PutAsync("v1/stores/local/buckets/metered", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("v1/stores/local/buckets/metered/objects/absent")).StatusCode);
        // A refusal, for the security counter.
        using (var anonymous = server.CreateClient())
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("v1/stores")).StatusCode);

        using var scrape = await server.Client.SendAsync(Scrape(scraper));
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        var text = await scrape.Content.ReadAsStringAsync();
        var lines = text.Split('\n');

        Assert.Contains(lines, l => l.StartsWith("gateway_bridge_call_duration_seconds_count{", StringComparison.Ordinal)
            && l.Contains("bridge_kind=\"local\"") && l.Contains("bridge_name=\"local\"")
            && l.Contains("operation=\"create-bucket\"") && l.Contains("outcome=\"ok\""));
        Assert.Contains(lines, l => l.StartsWith("gateway_bridge_call_duration_seconds_count{", StringComparison.Ordinal)
            && l.Contains("operation=\"get-object\"") && l.Contains("outcome=\"error\"") && l.Contains("error_code=\"not-found\""));
        Assert.Contains(lines, l => l.StartsWith("gateway_security_refusals_total{", StringComparison.Ordinal) && l.Contains("reason=\"missing-credentials\""));
        Assert.Contains(lines, l => l.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal)
            && l.Contains("http_route=\"/v1/stores/{store}/buckets/{bucket}\"") && l.Contains("http_response_status_code=\"201\""));
        Assert.Contains(lines, l => l.StartsWith("dotnet_", StringComparison.Ordinal) || l.StartsWith("process_runtime_dotnet_", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("kestrel_active_connections", StringComparison.Ordinal));
        // Dropped: updated on every request (the memory pool's on every buffer) and telling nothing the kept ones do not.
        foreach (var dropped in new[] { "aspnetcore_memory_pool_", "aspnetcore_routing_match_attempts", "aspnetcore_authentication_authenticate_duration", "http_client_open_connections" })
            Assert.DoesNotContain(lines, l => l.StartsWith(dropped, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_need_their_own_scope()
    {
        var (reader, settings) = KeyWithScope("reader", "read:stores/**");
        await using var server = await GatewayServer.StartAsync(settings);

        using (var anonymous = await server.Client.SendAsync(Scrape(null)))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using (var other = await server.Client.SendAsync(Scrape(reader)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
            Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Anonymous_scrapes_from_loopback_when_configured_but_a_bad_key_is_still_refused()
    {
        var (_, settings) = KeyWithScope("reader", "read:stores/**");
        settings["Gateway:Observability:Metrics:AnonymousOnLoopback"] = "true";
        await using var server = await GatewayServer.StartAsync(settings);

        using (var anonymous = await server.Client.SendAsync(Scrape(null)))
        {
            Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
            Assert.Contains("# TYPE", await anonymous.Content.ReadAsStringAsync());
        }
        using (var forged = await server.Client.SendAsync(Scrape("gwk_test_not-a-key")))
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        // Only /metrics: every other route still wants credentials.
        using (var stores = await server.Client.GetAsync("v1/stores"))
            Assert.Equal(HttpStatusCode.Unauthorized, stores.StatusCode);
    }

    [Fact]
    public async Task A_bad_observability_setting_stops_start_up_naming_it()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Observability:Tracing:SamplingRatio"] = "1.5",
        }));
        Assert.Contains("Gateway:Observability:Tracing:SamplingRatio", error.ToString());
    }
}
