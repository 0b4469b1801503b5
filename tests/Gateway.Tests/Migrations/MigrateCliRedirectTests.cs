using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Migrations;

/// <summary>
/// <c>migrate</c> pointed at an address that redirects (a proxy's login page, a moved host): HttpClient followed it and
/// sent X-Api-Key along to wherever Location pointed, another host included. Now the redirect is the answer.
/// </summary>
public sealed class MigrateCliRedirectTests : IAsyncLifetime
{
    private const string Key = "gwk_cli_redirect_never_leaves_0123456789";
    private RedirectingServer _gateway = null!;

    public async Task InitializeAsync() => _gateway = await RedirectingServer.StartAsync("?token=secret-in-query");

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Theory]
    [InlineData("status", "mig_x")]
    [InlineData("copy", "local:src archive:dst")]
    public async Task A_redirect_is_not_followed_and_the_key_goes_nowhere_else(string verb, string operands)
    {
        await using var cli = MigrateCliProcess.Start([verb, .. operands.Split(' '), "--gateway", _gateway.Address], Key);
        var (code, stdout, stderr) = await cli.ExitAsync();

        Assert.Empty(_gateway.Landed);
        Assert.True(code == 1, $"exit {code}\nstdout: {stdout}\nstderr: {stderr}");
        Assert.Contains("a redirect to http://localhost:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-in-query", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, stdout + stderr, StringComparison.Ordinal);
    }
}
