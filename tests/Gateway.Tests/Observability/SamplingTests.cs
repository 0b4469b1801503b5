using System.Diagnostics;
using System.Net;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Observability;

/// <summary>
/// What an unsampled request costs the tracer: no recorded span anywhere (no bridge client span, and the bridge host
/// stays in the request's unsampled trace instead of starting a sampled one of its own), while its metrics are still
/// counted; a sampled request keeps every span and attribute.
/// </summary>
public sealed class SamplingTests
{
    private static Activity Caller(bool sampled)
    {
        var caller = new Activity("calling-service");
        caller.SetParentId(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), sampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None);
        return caller.Start();
    }

    [Fact]
    public async Task An_unsampled_request_records_no_span_but_its_bridge_call_is_counted_and_a_sampled_one_keeps_its_attributes()
    {
        var spans = new SpanCollector();
        // Every new trace would be sampled: only the caller's unsampled flag keeps the first request's spans out.
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Observability:Tracing:Enabled"] = "true",
            ["Gateway:Observability:Tracing:SamplingRatio"] = "1.0",
        }, services: spans.Register);

        ActivityTraceId unsampledTrace;
        using (var caller = Caller(sampled: false))
        {
            unsampledTrace = caller.TraceId;
            Assert.Equal(HttpStatusCode.Created, (await server.Client.PutAsync("v1/stores/local/buckets/unsampled", null)).StatusCode);
        }
        ActivityTraceId sampledTrace;
        string? requestId;
        using (var caller = Caller(sampled: true))
        {
            sampledTrace = caller.TraceId;
            using var response = await server.Client.PutAsync("v1/stores/local/buckets/sampled", null);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            requestId = response.Headers.GetValues("X-Request-Id").Single();
        }

        var host = await spans.WaitForAsync(s => s.Kind == ActivityKind.Server && s.DisplayName == "object-storage create-bucket"
            && (string?)s.GetTagItem("bridge.target") == "sampled", "of the host for the sampled request");
        var client = await spans.WaitForAsync(s => s.Kind == ActivityKind.Client && s.DisplayName == "object-storage create-bucket"
            && (string?)s.GetTagItem("bridge.target") == "sampled", "of the gateway's bridge call for the sampled request");
        var http = await spans.WaitForAsync(s => s.TraceId == sampledTrace && s.Source.Name == "Microsoft.AspNetCore", "of the sampled HTTP request");
        Assert.Equal(sampledTrace, host.TraceId);
        Assert.Equal(client.SpanId, host.ParentSpanId);
        Assert.Equal(http.SpanId, client.ParentSpanId);
        Assert.Equal("local", client.GetTagItem("bridge.kind"));
        Assert.Equal("local", client.GetTagItem("bridge.name"));
        Assert.Equal("create-bucket", host.GetTagItem("operation"));
        Assert.Equal(requestId, http.GetTagItem("gateway.request_id"));

        // Had the first request recorded a span, it would have ended before the second request's (calls in turn).
        Assert.DoesNotContain(spans.Spans, s => s.TraceId == unsampledTrace);
        Assert.DoesNotContain(spans.Spans, s => (string?)s.GetTagItem("bridge.target") == "unsampled");

        using var scrape = await server.Client.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        var counted = (await scrape.Content.ReadAsStringAsync()).Split('\n').Where(l =>
            l.StartsWith("gateway_bridge_call_duration_seconds_count{", StringComparison.Ordinal)
            && l.Contains("operation=\"create-bucket\"") && l.Contains("outcome=\"ok\""))
            .Sum(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..]));
        // At least both (the gateway's meters are process-wide, so tests running beside this one may add theirs).
        Assert.True(counted >= 2, $"create-bucket calls counted: {counted}");
    }
}
