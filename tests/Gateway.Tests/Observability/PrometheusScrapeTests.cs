using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Observability;

/// <summary>
/// /metrics read by the real consumers: a Prometheus server scraping it with an API key, as an operator would
/// configure it, and promtool's parser and linter.
/// </summary>
public sealed class PrometheusScrapeTests
{
    private static Dictionary<string, string?> Keys(out string admin, out string scraper)
    {
        admin = NewKey();
        scraper = NewKey();
        return new Dictionary<string, string?>
        {
            ["Gateway:Security:ApiKeys:admin:Hash"] = Hash(admin),
            ["Gateway:Security:ApiKeys:admin:Scopes:0"] = "admin",
            ["Gateway:Security:ApiKeys:prometheus:Hash"] = Hash(scraper),
            ["Gateway:Security:ApiKeys:prometheus:Scopes:0"] = "read:metrics",
        };
    }

    private static string NewKey() => "gwk_test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
    private static string Hash(string key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public async Task A_Prometheus_server_scraping_with_a_read_metrics_key_stores_the_bridge_calls_and_routes()
    {
        // Its own process: in this one, every gateway's instruments share the meters' names, so counts would mix.
        var data = Directory.CreateTempSubdirectory("gateway-prometheus-").FullName;
        var scraper = NewKey();
        try
        {
            await using var gateway = await GatewayProcess.StartAsync(data, new Dictionary<string, string>
            {
                ["Gateway:Security:ApiKeys:prometheus:Hash"] = Hash(scraper),
                ["Gateway:Security:ApiKeys:prometheus:Scopes:0"] = "read:metrics",
            });
            Assert.Equal(HttpStatusCode.Created, (await gateway.Client.PutAsync("v1/stores/local/buckets/scraped", null)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await gateway.Client.GetAsync("v1/stores/local/buckets/scraped/objects/absent")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await gateway.Client.GetAsync("v1/stores/local/buckets/scraped/objects/absent-too")).StatusCode);

            await using var prometheus = await PrometheusServer.StartAsync(gateway.BaseAddress, "/metrics", scraper);
            await prometheus.TargetAsync("up");

            var missing = await prometheus.QueryAsync(
                """gateway_bridge_call_duration_seconds_count{bridge_kind="local",bridge_name="local",operation="get-object",outcome="error",error_code="not-found"}""");
            Assert.Equal(2, Assert.Single(missing).Value);
            var created = await prometheus.QueryAsync(
                """http_server_request_duration_seconds_count{http_route="/v1/stores/{store}/buckets/{bucket}",http_request_method="PUT",http_response_status_code="201"}""");
            Assert.Equal(1, Assert.Single(created).Value);
            // The histogram arrives whole: a quantile over its buckets is a number, not NaN.
            var p95 = await prometheus.QueryAsync("""histogram_quantile(0.95, sum by (le) (gateway_bridge_call_duration_seconds_bucket{operation="get-object"}))""");
            Assert.False(double.IsNaN(Assert.Single(p95).Value));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_Prometheus_server_with_a_key_lacking_the_scope_or_none_gets_nothing()
    {
        var settings = Keys(out _, out _);
        var storesOnly = NewKey();
        settings["Gateway:Security:ApiKeys:stores:Hash"] = Hash(storesOnly);
        settings["Gateway:Security:ApiKeys:stores:Scopes:0"] = "read:stores/**";
        await using var gateway = await GatewayServer.StartAsync(settings);

        await using (var wrongScope = await PrometheusServer.StartAsync(gateway.BaseAddress, "/metrics", storesOnly))
        {
            await wrongScope.TargetAsync("down", "403");
        }
        await using var anonymous = await PrometheusServer.StartAsync(gateway.BaseAddress, "/metrics", authorization: null);
        await anonymous.TargetAsync("down", "401");
    }

    [Fact]
    public async Task Promtool_parses_the_scrape_and_its_linter_finds_only_the_runtime_names_it_predates()
    {
        await using var gateway = await GatewayServer.StartAsync(Keys(out var admin, out var scraper));
        using var client = gateway.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", admin);
        Assert.Equal(HttpStatusCode.Created, (await client.PutAsync("v1/stores/local/buckets/linted", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("v1/stores/local/buckets/linted/objects/absent")).StatusCode);
        using var scrape = new HttpRequestMessage(HttpMethod.Get, "metrics");
        scrape.Headers.Add("X-Api-Key", scraper);
        using var response = await gateway.Client.SendAsync(scrape);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("gateway_bridge_call_duration_seconds_bucket{", text, StringComparison.Ordinal);

        if (!File.Exists(PrometheusServer.Promtool))
            throw new InvalidOperationException($"{PrometheusServer.Promtool} is missing. Install it with: bash scripts/install.d/prometheus.sh");
        var start = new ProcessStartInfo(PrometheusServer.Promtool) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("check");
        start.ArgumentList.Add("metrics");
        using var promtool = Process.Start(start)!;
        var stdout = promtool.StandardOutput.ReadToEndAsync();
        var stderr = promtool.StandardError.ReadToEndAsync();
        await promtool.StandardInput.WriteAsync(text);
        promtool.StandardInput.Close();
        await promtool.WaitForExitAsync();
        var report = (await stdout + await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // Exit 1 is a parse error; 3 is lint findings only. The linter's naming rules predate the OpenTelemetry
        // semantic conventions the runtime's meter follows (dotnet.assembly.count and the like are gauges named
        // *.count); every other finding, a gateway metric's above all, fails this test.
        Assert.True(promtool.ExitCode is 0 or 3, $"promtool could not parse the scrape (exit {promtool.ExitCode}):\n{string.Join('\n', report)}");
        var others = report.Where(l => !(l.StartsWith("dotnet_", StringComparison.Ordinal) && l.Contains("should not have \"_count\" suffix", StringComparison.Ordinal))).ToList();
        Assert.True(others.Count == 0, "promtool found:\n" + string.Join('\n', others));
    }
}
