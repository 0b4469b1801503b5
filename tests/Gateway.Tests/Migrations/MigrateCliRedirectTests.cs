using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Gateway.Tests.Migrations;

/// <summary>
/// <c>migrate</c> pointed at an address that redirects (a proxy's login page, a moved host): HttpClient followed it and
/// sent X-Api-Key along to wherever Location pointed, another host included. Now the redirect is the answer.
/// </summary>
public sealed class MigrateCliRedirectTests : IAsyncLifetime
{
    private const string Key = "gwk_cli_redirect_never_leaves_0123456789";
    private readonly ConcurrentQueue<string> _landed = new();
    private WebApplication _app = null!;
    private string _address = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        // Another host name for the same listener: a cross-host redirect, whose target records what reaches it.
        _app.Map("/landed/{**rest}", (HttpContext c) =>
        {
            _landed.Enqueue($"{c.Request.Method} {c.Request.Path} key={c.Request.Headers["X-Api-Key"]}");
            return Results.Json(new { id = "mig_x", state = "completed" });
        });
        _app.Map("/{**rest}", (HttpContext c) => Results.Redirect($"http://localhost:{c.Connection.LocalPort}/landed{c.Request.Path}?token=secret-in-query", permanent: false, preserveMethod: true));
        await _app.StartAsync();
        _address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("status", "mig_x")]
    [InlineData("copy", "local:src archive:dst")]
    public async Task A_redirect_is_not_followed_and_the_key_goes_nowhere_else(string verb, string operands)
    {
        await using var cli = MigrateCliProcess.Start([verb, .. operands.Split(' '), "--gateway", _address], Key);
        var (code, stdout, stderr) = await cli.ExitAsync();

        Assert.Empty(_landed);
        Assert.True(code == 1, $"exit {code}\nstdout: {stdout}\nstderr: {stderr}");
        Assert.Contains("a redirect to http://localhost:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-in-query", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, stdout + stderr, StringComparison.Ordinal);
    }
}
