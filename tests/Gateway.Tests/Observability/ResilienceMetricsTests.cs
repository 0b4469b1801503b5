using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Observability;

/// <summary>The per-bridge resilience instruments on /metrics, and the SDK's own HTTP calls inside the bridge host's span.</summary>
public sealed class ResilienceMetricsTests
{
    [Fact]
    public async Task Retries_circuit_state_rejections_and_the_limiter_show_per_bridge_instance()
    {
        // A name of its own: these instruments are process-wide, and other tests' bridges report on them too.
        var name = "flaky" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..4]);
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            [$"Gateway:Rest:Upstreams:{name}:BaseUrl"] = $"http://127.0.0.1:{SecretsTests.ClosedPort()}/",
            [$"Gateway:Rest:Upstreams:{name}:Resilience:MaxRetryAttempts"] = "1",
            [$"Gateway:Rest:Upstreams:{name}:Resilience:BaseDelay"] = "00:00:00.010",
            [$"Gateway:Rest:Upstreams:{name}:Resilience:MinimumThroughput"] = "4",
            [$"Gateway:Rest:Upstreams:{name}:Resilience:SamplingDuration"] = "00:05:00",
            [$"Gateway:Rest:Upstreams:{name}:Resilience:BreakDuration"] = "00:10:00",
        });
        var opened = false;
        for (var i = 0; i < 20 && !opened; i++)
        {
            using var call = await server.Client.GetAsync($"v1/rest/{name}/ping");
            Assert.False(call.IsSuccessStatusCode);
            var bridges = JsonDocument.Parse(await server.Client.GetStringAsync("v1/bridges")).RootElement.GetProperty("bridges");
            opened = bridges.EnumerateArray().Single(b => b.GetProperty("name").GetString() == name).GetProperty("circuit").GetString() == "open";
        }
        Assert.True(opened, "the circuit did not open");
        using (var rejected = await server.Client.GetAsync($"v1/rest/{name}/ping"))
            Assert.Equal(503, (int)rejected.StatusCode);

        var lines = (await server.Client.GetStringAsync("metrics")).Split('\n');
        var labels = $"bridge_kind=\"rest\",bridge_name=\"{name}\"";
        Assert.True(Value(lines, "gateway_bridge_retries_total{", labels) >= 1);
        Assert.Equal(1, Value(lines, "gateway_bridge_circuit_state{", labels));
        Assert.True(Value(lines, "gateway_bridge_rejections_total{", labels, "reason=\"circuit-open\"") >= 1);
        Assert.Equal(0, Value(lines, "gateway_bridge_limiter_in_flight{", labels));
        Assert.Equal(0, Value(lines, "gateway_bridge_limiter_queued{", labels));
        Assert.True(Value(lines, "gateway_bridge_call_duration_seconds_count{", $"bridge_name=\"{name}\"", "error_code=\"unavailable\"") >= 1);
    }

    [Fact]
    public async Task The_SDKs_outgoing_HTTP_calls_are_children_of_the_bridge_hosts_span()
    {
        var spans = new SpanCollector();
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Observability:Tracing:Enabled"] = "true",
            ["Gateway:Stores:s3:Kind"] = "s3",
            ["Gateway:Stores:s3:ServiceUrl"] = Backends.Require("S3_ENDPOINT", "s3"),
            ["Gateway:Stores:s3:ForcePathStyle"] = "true",
            ["Gateway:Stores:s3:AccessKeyId"] = Backends.Require("S3_ACCESS_KEY", "s3"),
            ["Gateway:Stores:s3:SecretAccessKey"] = Backends.Require("S3_SECRET_KEY", "s3"),
        }, services: spans.Register);
        using var caller = TracePropagationTests.Caller();
        using (var listed = await server.Client.GetAsync("v1/stores/s3/buckets"))
            Assert.True(listed.IsSuccessStatusCode, $"{(int)listed.StatusCode} {await listed.Content.ReadAsStringAsync()}");

        var host = await spans.WaitForAsync(s => s.TraceId == caller.TraceId && s.Kind == ActivityKind.Server && s.DisplayName == "object-storage list-buckets",
            "of the bridge host");
        var sdk = await spans.WaitForAsync(s => s.TraceId == caller.TraceId && s.Kind == ActivityKind.Client && s.ParentSpanId == host.SpanId
            && s.Source.Name == "System.Net.Http", "of the S3 SDK's HTTP call under the host's span");
        Assert.Equal("s3", host.GetTagItem("bridge.name"));
        Assert.Equal("GET", sdk.GetTagItem("http.request.method"));
    }

    private static double Value(string[] lines, string series, params string[] labels)
    {
        var matching = lines.Where(l => l.StartsWith(series, StringComparison.Ordinal) && labels.All(x => l.Contains(x, StringComparison.Ordinal))).ToList();
        if (matching.Count == 0) throw new Xunit.Sdk.XunitException($"no {series}...{string.Join(",", labels)} series");
        return matching.Sum(l => double.Parse(l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
    }
}
