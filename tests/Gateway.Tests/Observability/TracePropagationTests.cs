using System.Diagnostics;
using System.Net;
using Gateway.Channel.Families;
using Gateway.Contracts.ObjectStorage;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Gateway.Tests.Observability;

/// <summary>W3C trace context flows from the caller through the endpoint and across CTP-96 into the bridge host's span.</summary>
public sealed class TracePropagationTests
{
    /// <summary>
    /// The calling service's span, current while the test sends its request: HttpClient puts its context in the
    /// traceparent header (a header set by hand would be replaced, since the test process's HttpClient is instrumented
    /// too, by the server's tracer provider).
    /// </summary>
    internal static Activity Caller()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var caller = new Activity("calling-service");
        caller.SetParentId(traceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        return caller.Start();
    }

    [Fact]
    public async Task The_in_process_bridge_host_span_joins_the_callers_trace_under_the_gateways_client_span()
    {
        var spans = new SpanCollector();
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Observability:Tracing:Enabled"] = "true",
        }, services: spans.Register);
        using var caller = Caller();
        var traceId = caller.TraceId;

        using var request = new HttpRequestMessage(HttpMethod.Put, "v1/stores/local/buckets/traced");
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var host = await spans.WaitForAsync(s => s.TraceId == traceId && s.Kind == ActivityKind.Server && s.DisplayName == "object-storage create-bucket",
            "of the bridge host for create-bucket in the caller's trace");
        var client = await spans.WaitForAsync(s => s.TraceId == traceId && s.Kind == ActivityKind.Client && s.DisplayName == "object-storage create-bucket",
            "of the gateway's bridge call");
        var http = await spans.WaitForAsync(s => s.TraceId == traceId && s.Kind == ActivityKind.Server && s.Source.Name == "Microsoft.AspNetCore",
            "of the HTTP request");

        Assert.Equal(client.SpanId, host.ParentSpanId);
        Assert.Equal(http.SpanId, client.ParentSpanId);
        Assert.Equal("local", client.GetTagItem("bridge.kind"));
        Assert.Equal("local", host.GetTagItem("bridge.name"));
        Assert.Equal("traced", host.GetTagItem("bridge.target"));
    }

    [Fact]
    public async Task A_failed_bridge_call_marks_its_spans_with_the_error_code()
    {
        var spans = new SpanCollector();
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Observability:Tracing:Enabled"] = "true",
        }, services: spans.Register);
        using var caller = Caller();
        var traceId = caller.TraceId;

        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/stores/local/buckets/no-such-bucket/objects/x");
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        var host = await spans.WaitForAsync(s => s.TraceId == traceId && s.Kind == ActivityKind.Server && s.DisplayName == "object-storage get-object", "of the host");
        var client = await spans.WaitForAsync(s => s.TraceId == traceId && s.Kind == ActivityKind.Client, "of the gateway's bridge call");
        Assert.Equal(ActivityStatusCode.Error, host.Status);
        Assert.Equal("not-found", host.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, client.Status);
        Assert.Equal("not-found", client.GetTagItem("error.type"));
    }

    [Fact]
    public async Task A_call_outside_any_request_starts_its_own_trace_and_never_joins_an_earlier_one()
    {
        const string Bucket = "background-trace-bucket";
        var spans = new SpanCollector();
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Observability:Tracing:Enabled"] = "true",
        }, services: spans.Register);
        // The first request opens the in-process channel connection, in its own trace's context.
        ActivityTraceId firstTrace;
        using (var caller = Caller())
        {
            firstTrace = caller.TraceId;
            Assert.Equal(HttpStatusCode.Created, (await server.Client.PutAsync($"v1/stores/local/buckets/{Bucket}", null)).StatusCode);
        }

        Assert.Null(Activity.Current);
        var stores = server.Services.GetRequiredService<BridgeRegistry<IObjectStore>>();
        await stores.Get("local").ListObjectsAsync(Bucket, new ListObjectsRequest(), default);

        // Matched by this test's own bucket: tracer providers listen process-wide, so the collector also gets the spans of
        // gateways in tests running beside this one, and a /health/ready there lists buckets outside any request too.
        var client = await spans.WaitForAsync(s => s.Kind == ActivityKind.Client && s.DisplayName == "object-storage list-objects"
            && (string?)s.GetTagItem("bridge.target") == Bucket, "of the background call");
        var host = await spans.WaitForAsync(s => s.Kind == ActivityKind.Server && s.DisplayName == "object-storage list-objects"
            && (string?)s.GetTagItem("bridge.target") == Bucket, "of its host");
        Assert.NotEqual(firstTrace, client.TraceId);
        Assert.Equal(client.TraceId, host.TraceId);
        Assert.Equal(client.SpanId, host.ParentSpanId);
    }

    [Fact]
    public async Task A_rest_upstream_gets_the_gateways_outgoing_span_as_parent_in_the_callers_trace()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var upstream = builder.Build();
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        upstream.Map("/{**rest}", (HttpRequest r) =>
        {
            seen.Enqueue(r.Headers["traceparent"].ToString());
            return "ok";
        });
        await upstream.StartAsync();
        try
        {
            var spans = new SpanCollector();
            await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
            {
                ["Gateway:Observability:Tracing:Enabled"] = "true",
                ["Gateway:Rest:Upstreams:traced:BaseUrl"] = upstream.Urls.First() + "/",
            }, services: spans.Register);
            using var caller = Caller();

            using var response = await server.Client.GetAsync("v1/rest/traced/items");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            var header = Assert.Single(seen);
            var parts = header.Split('-');
            Assert.True(parts.Length == 4, $"traceparent '{header}'");
            Assert.Equal(caller.TraceId.ToHexString(), parts[1]);
            Assert.NotEqual(caller.SpanId.ToHexString(), parts[2]);
            var outgoing = await spans.WaitForAsync(s => s.TraceId == caller.TraceId && s.SpanId.ToHexString() == parts[2],
                "whose id the upstream got as its parent");
            Assert.Equal(ActivityKind.Client, outgoing.Kind);
            var host = await spans.WaitForAsync(s => s.TraceId == caller.TraceId && s.Kind == ActivityKind.Server && s.DisplayName == "rest forward",
                "of the bridge host for the upstream call");
            Assert.Equal(host.SpanId, outgoing.ParentSpanId);
        }
        finally
        {
            await upstream.StopAsync();
            await upstream.DisposeAsync();
        }
    }
}
