using System.Collections.Concurrent;
using System.Net;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Gateway.Tests.Observability;

/// <summary>
/// An OTLP endpoint that answers with a redirect (a proxy's login page, a moved host): the exporter's HttpClient
/// followed it, sending the telemetry, and any OTEL_EXPORTER_OTLP_HEADERS with it, to wherever Location pointed.
/// </summary>
public sealed class OtlpRedirectTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _asked = new();
    private readonly ConcurrentQueue<string> _landed = new();
    private WebApplication _app = null!;
    private string _address = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Map("/landed/{**rest}", (HttpContext c) =>
        {
            _landed.Enqueue($"{c.Request.Method} {c.Request.Path}");
            return Results.Ok();
        });
        _app.Map("/{**rest}", (HttpContext c) =>
        {
            _asked.Enqueue($"{c.Request.Method} {c.Request.Path}");
            return Results.Redirect($"http://localhost:{c.Connection.LocalPort}/landed{c.Request.Path}", permanent: false, preserveMethod: true);
        });
        await _app.StartAsync();
        _address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_collector_s_redirect_is_not_followed()
    {
        var gateway = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Observability:Otlp:Endpoint"] = _address,
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
        Assert.NotEmpty(_asked);
        Assert.Empty(_landed);
    }
}
