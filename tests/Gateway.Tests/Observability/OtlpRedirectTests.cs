using System.Net;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Observability;

/// <summary>
/// An OTLP endpoint that answers with a redirect (a proxy's login page, a moved host): the exporter's HttpClient
/// followed it, sending the telemetry, and any OTEL_EXPORTER_OTLP_HEADERS with it, to wherever Location pointed.
/// Both protocols go through the same HttpClient (the exporter speaks gRPC over it), so both are checked.
/// </summary>
public sealed class OtlpRedirectTests
{
    [Theory]
    [InlineData("http/protobuf")]
    [InlineData("grpc")]
    public async Task A_collector_s_redirect_is_not_followed(string protocol)
    {
        await using var collector = await RedirectingServer.StartAsync(http2: protocol == "grpc");
        var gateway = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Observability:Otlp:Endpoint"] = collector.Address,
            ["Gateway:Observability:Otlp:Protocol"] = protocol,
        });
        try
        {
            using var response = await gateway.Client.PutAsync("v1/stores/local/buckets/exported", null);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        finally
        {
            // Stopping the gateway flushes its spans and metrics: every export has been tried when it returns.
            await gateway.DisposeAsync();
        }
        Assert.NotEmpty(collector.Asked);
        Assert.Empty(collector.Landed);
    }
}
