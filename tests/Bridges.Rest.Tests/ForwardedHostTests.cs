using System.Net;
using Gateway.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static Gateway.Bridges.Rest.Tests.RestTestKit;

namespace Gateway.Bridges.Rest.Tests;

/// <summary>
/// Issue 12 item 8: X-Forwarded-Host came from the caller's Host header, which nothing filters. Now it is the
/// upstream's configured public host, or the caller's Host only when it is on the upstream's allowed list.
/// </summary>
public sealed class ForwardedHostTests : IAsyncLifetime
{
    readonly WireMockServer _upstream = WireMockServer.Start();
    GatewayServer _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200).WithBody("ok"));
        _gateway = await GatewayServer.StartAsync(Merge(
            Upstream("plain", _upstream.Url + "/plain"),
            Upstream("public", _upstream.Url + "/public", ("PublicHost", "api.example.com")),
            Upstream("allowed", _upstream.Url + "/allowed", ("AllowedHosts:0", "api.internal:8443"))));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _upstream.Stop();
    }

    async Task<IDictionary<string, WireMock.Types.WireMockList<string>>> SendWithHost(string upstream, string host)
    {
        var before = _upstream.LogEntries.Count();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/rest/{upstream}/thing");
        request.Headers.Host = host;
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(_upstream.LogEntries.Skip(before)).RequestMessage!.Headers!;
    }

    static void AssertNowhere(IDictionary<string, WireMock.Types.WireMockList<string>> headers, string value) =>
        Assert.DoesNotContain(headers, h => h.Value.Any(v => v.Contains(value, StringComparison.OrdinalIgnoreCase)));

    [Theory]
    [InlineData("plain")]
    [InlineData("public")]
    [InlineData("allowed")]
    public async Task A_forged_Host_never_reaches_an_upstream(string upstream)
    {
        var headers = await SendWithHost(upstream, "evil.example");
        AssertNowhere(headers, "evil.example");
    }

    [Fact]
    public async Task Without_configuration_no_X_Forwarded_Host_is_sent()
    {
        var headers = await SendWithHost("plain", _gateway.BaseAddress.Authority);
        Assert.False(headers.ContainsKey("X-Forwarded-Host"));
        Assert.Equal("http", headers["X-Forwarded-Proto"].Single());
    }

    [Fact]
    public async Task A_configured_public_host_is_sent_whatever_the_caller_said()
    {
        var headers = await SendWithHost("public", "evil.example");
        Assert.Equal("api.example.com", headers["X-Forwarded-Host"].Single());
    }

    [Fact]
    public async Task An_allowed_caller_Host_is_passed_on()
    {
        var headers = await SendWithHost("allowed", "API.internal:8443");
        Assert.Equal("API.internal:8443", headers["X-Forwarded-Host"].Single());
    }
}
