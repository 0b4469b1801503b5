using System.Diagnostics;
using System.Net;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Observability;

/// <summary>OTLP export by configuration, over both protocols, into a real collector (the standalone Aspire dashboard).</summary>
public sealed class OtlpExportTests
{
    [Theory]
    [InlineData("grpc")]
    [InlineData("http/protobuf")]
    public async Task Spans_and_metrics_reach_the_collector_configured_by_its_base_address(string protocol)
    {
        await using var collector = await AspireDashboard.StartAsync();
        var service = "gateway-otlp-" + protocol.Replace('/', '-');
        var gateway = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Observability:ServiceName"] = service,
            ["Gateway:Observability:Otlp:Endpoint"] = (protocol == "grpc" ? collector.OtlpGrpc : collector.OtlpHttp).ToString(),
            ["Gateway:Observability:Otlp:Protocol"] = protocol,
        });
        var traceId = ActivityTraceId.CreateRandom();
        try
        {
            // The calling service's span: the test's HttpClient sends its trace context as a caller's would.
            using (var caller = new Activity("calling-service").SetParentId(traceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded).Start())
            {
                using var response = await gateway.Client.PutAsync("v1/stores/local/buckets/exported", null);
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }

            // The caller's trace continues in the gateway: the route's span and the bridge operation's, under one trace id.
            var names = await collector.SpanNamesAsync(traceId.ToHexString(), atLeast: 2);
            Assert.Contains("PUT /v1/stores/{store}/buckets/{bucket}", names);
            Assert.Contains(names, n => n.Contains("create-bucket", StringComparison.Ordinal));
        }
        finally
        {
            // Metrics go out every 60 s and when the gateway stops: stopping it is the flush.
            await gateway.DisposeAsync();
        }
        await collector.MetricsArrivedAsync(service);
    }
}
