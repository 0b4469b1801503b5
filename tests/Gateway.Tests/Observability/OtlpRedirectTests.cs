using System.Net;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Observability;

/// <summary>
/// An OTLP endpoint that answers with a redirect (a proxy's login page, a moved host): the exporter's HttpClient
/// followed it, sending the telemetry, and any OTEL_EXPORTER_OTLP_HEADERS with it, to wherever Location pointed.
/// </summary>
public sealed class OtlpRedirectTests : IAsyncLifetime
{
    private RedirectingServer _collector = null!;

    public async Task InitializeAsync() => _collector = await RedirectingServer.StartAsync();

    public async Task DisposeAsync() => await _collector.DisposeAsync();

    [Fact]
    public async Task A_collector_s_redirect_is_not_followed()
    {
        var gateway = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Observability:Otlp:Endpoint"] = _collector.Address,
            ["Gateway:Observability:Otlp:Protocol"] = "http/protobuf",
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
        Assert.NotEmpty(_collector.Asked);
        Assert.Empty(_collector.Landed);
    }
}
