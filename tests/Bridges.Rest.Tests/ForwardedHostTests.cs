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

    /// <summary>
    /// A redirect under the upstream's base is rewritten to the gateway on a host the settings trust: the caller's Host
    /// only when allowed (PublicHost otherwise, or a path when there is none); without settings, the caller's Host.
    /// </summary>
    [Theory]
    [InlineData("plain", "gw.example:8080", "http://gw.example:8080/v1/rest/plain/new")]
    [InlineData("public", "evil.example", "http://api.example.com/v1/rest/public/new")]
    [InlineData("allowed", "evil.example", "/v1/rest/allowed/new")]
    [InlineData("allowed", "api.internal:8443", "http://api.internal:8443/v1/rest/allowed/new")]
    public async Task A_rewritten_Location_names_only_a_trusted_host(string upstream, string host, string location)
    {
        _upstream.Given(Request.Create().WithPath($"/{upstream}/moved").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(302).WithHeader("Location", $"{_upstream.Url}/{upstream}/new"));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/rest/{upstream}/moved");
        request.Headers.Host = host;
        using var client = _gateway.CreateClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(location, response.Headers.Location?.OriginalString);
    }

    /// <summary>An HTTP/1.0 request may carry no Host: trusted least, so PublicHost or a path, never the upstream's own URL (session-43 probe).</summary>
    [Theory]
    [InlineData("public", "http://api.example.com/v1/rest/public/new")]
    [InlineData("allowed", "/v1/rest/allowed/new")]
    [InlineData("plain", "/v1/rest/plain/new")]
    public async Task A_request_without_Host_gets_a_Location_on_the_public_host_or_a_path(string upstream, string location)
    {
        _upstream.Given(Request.Create().WithPath($"/{upstream}/moved").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(302).WithHeader("Location", $"{_upstream.Url}/{upstream}/new"));
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(_gateway.BaseAddress.Host, _gateway.BaseAddress.Port);
        var stream = tcp.GetStream();
        var head = $"GET /v1/rest/{upstream}/moved HTTP/1.0\r\n{string.Concat(_gateway.AuthHeaders.Select(h => h + "\r\n"))}\r\n";
        await stream.WriteAsync(System.Text.Encoding.Latin1.GetBytes(head));
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer);
        var lines = System.Text.Encoding.Latin1.GetString(answer.ToArray()).Split("\r\n");
        Assert.StartsWith("HTTP/1.1 302", lines[0], StringComparison.Ordinal);
        Assert.Equal(location, lines.Single(l => l.StartsWith("Location:", StringComparison.OrdinalIgnoreCase))["Location:".Length..].Trim());
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
