using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Testing;

/// <summary>
/// A loopback server that answers every request with a 307 to another host name for itself (<c>localhost</c> for
/// <c>127.0.0.1</c>, under <c>/landed</c>), as a proxy's login page or a moved host would. What a client sends to the
/// redirect's target is recorded in <see cref="Landed"/>, API key included; a client that follows no redirect leaves it empty.
/// </summary>
public sealed class RedirectingServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RedirectingServer(WebApplication app, string address, ConcurrentQueue<string> asked, ConcurrentQueue<string> landed) =>
        (_app, Address, Asked, Landed) = (app, address, asked, landed);

    /// <summary>The base address, e.g. http://127.0.0.1:41234.</summary>
    public string Address { get; }
    /// <summary>Requests the redirect answered, as "METHOD /path".</summary>
    public ConcurrentQueue<string> Asked { get; }
    /// <summary>Requests that reached the redirect's target, as "METHOD /path key=X-Api-Key".</summary>
    public ConcurrentQueue<string> Landed { get; }

    /// <param name="query">Appended to every redirect's Location (a token a client must not print, say).</param>
    /// <param name="http2">Speak HTTP/2 without TLS (prior knowledge), as a gRPC client asks, instead of HTTP/1.1.</param>
    public static async Task<RedirectingServer> StartAsync(string query = "", bool http2 = false)
    {
        ConcurrentQueue<string> asked = new(), landed = new();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        if (http2) builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.Map("/landed/{**rest}", (HttpContext c) =>
        {
            landed.Enqueue($"{c.Request.Method} {c.Request.Path} key={c.Request.Headers["X-Api-Key"]}");
            return Results.Json(new { id = "mig_x", state = "completed" });
        });
        app.Map("/{**rest}", (HttpContext c) =>
        {
            asked.Enqueue($"{c.Request.Method} {c.Request.Path}");
            return Results.Redirect($"http://localhost:{c.Connection.LocalPort}/landed{c.Request.Path}{query}", permanent: false, preserveMethod: true);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new RedirectingServer(app, address, asked, landed);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
