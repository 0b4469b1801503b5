using System.Net;
using System.Text;
using Gateway.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static Gateway.Bridges.Rest.Tests.RestTestKit;

namespace Gateway.Bridges.Rest.Tests;

/// <summary>Credentials the gateway adds toward upstreams; the caller never sees or supplies them.</summary>
public sealed class AuthInjectionTests : IDisposable
{
    readonly WireMockServer _upstream = WireMockServer.Start();

    public AuthInjectionTests() =>
        _upstream.Given(Request.Create().WithPath("/data").UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200).WithBody("data"));

    public void Dispose() => _upstream.Stop();

    async Task<WireMock.IRequestMessage> CallOnce(GatewayServer gateway, string target = "v1/rest/svc/data")
    {
        using var response = await gateway.Client.GetAsync(target);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return _upstream.Requests("/data").Last();
    }

    [Fact]
    public async Task Api_key_in_a_header()
    {
        await using var gateway = await GatewayServer.StartAsync(Upstream("svc", _upstream.Url!,
            ("Auth:Type", "ApiKey"), ("Auth:HeaderName", "X-Legacy-Key"), ("Auth:Key", "k-123")));
        var seen = await CallOnce(gateway);
        Assert.Equal("k-123", seen.Headers!["X-Legacy-Key"].Single());
    }

    [Fact]
    public async Task Api_key_in_the_query_replaces_one_the_caller_tried_to_set()
    {
        await using var gateway = await GatewayServer.StartAsync(Upstream("svc", _upstream.Url!,
            ("Auth:Type", "ApiKey"), ("Auth:QueryName", "api_key"), ("Auth:Key", "k&=/9")));
        var seen = await CallOnce(gateway, "v1/rest/svc/data?x=1&api_key=forged&API_KEY=forged2");
        Assert.Equal("1", seen.Query!["x"].Single());
        Assert.Equal("k&=/9", seen.Query!["api_key"].Single());
        Assert.DoesNotContain(seen.Query!, q => q.Value.Any(v => v.StartsWith("forged")));
    }

    [Fact]
    public async Task The_query_key_never_reaches_the_caller_in_a_location_and_the_callers_query_goes_as_sent()
    {
        // An upstream redirecting with the query it got (a trailing-slash redirect) echoed the key to the caller (session-43 probe).
        _upstream.Given(Request.Create().WithPath("/dir").UsingGet()).RespondWith(Response.Create().WithStatusCode(301)
            .WithHeader("Location", $"{_upstream.Url}/dir/?page=2&api_key=k-secret-9"));
        _upstream.Given(Request.Create().WithPath("/away").UsingGet()).RespondWith(Response.Create().WithStatusCode(302)
            .WithHeader("Location", "https://elsewhere.example/x?API_KEY=k-secret-9&y=1#top"));
        await using var gateway = await GatewayServer.StartAsync(Upstream("svc", _upstream.Url!,
            ("Auth:Type", "ApiKey"), ("Auth:QueryName", "api_key"), ("Auth:Key", "k-secret-9")));
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = gateway.Client.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", gateway.ApiKey);

        using (var redirect = await client.GetAsync("v1/rest/svc/dir?page=2"))
        {
            Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
            Assert.EndsWith("/v1/rest/svc/dir/?page=2", redirect.Headers.Location!.OriginalString);
        }
        using (var away = await client.GetAsync("v1/rest/svc/away"))
            Assert.Equal("https://elsewhere.example/x?y=1#top", away.Headers.Location!.OriginalString);

        // The caller's query reaches the upstream as it was sent, the key after it (UriBuilder re-escaped it: '%zz' as '%25zz').
        await using var raw = new RawUpstream("HTTP/1.1 204 No Content\r\n\r\n");
        await using var exact = await GatewayServer.StartAsync(Upstream("svc", raw.Url,
            ("Auth:Type", "ApiKey"), ("Auth:QueryName", "api_key"), ("Auth:Key", "k-secret-9")));
        var sent = await RawHttp.SendAsync(exact, "GET", "/v1/rest/svc/q?a=%zz&b=|^`{}");
        Assert.Equal(204, sent.Status);
        Assert.Equal("GET /q?a=%zz&b=|^`{}&api_key=k-secret-9 HTTP/1.1", raw.RequestLines.Single());
    }

    [Fact]
    public async Task Bearer_token()
    {
        await using var gateway = await GatewayServer.StartAsync(Upstream("svc", _upstream.Url!,
            ("Auth:Type", "Bearer"), ("Auth:Token", "static-token")));
        var seen = await CallOnce(gateway);
        Assert.Equal("Bearer static-token", seen.Headers!["Authorization"].Single());
    }

    [Fact]
    public async Task Basic_credentials()
    {
        await using var gateway = await GatewayServer.StartAsync(Upstream("svc", _upstream.Url!,
            ("Auth:Type", "Basic"), ("Auth:Username", "legacy"), ("Auth:Password", "p@ss:word")));
        var seen = await CallOnce(gateway);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("legacy:p@ss:word")), seen.Headers!["Authorization"].Single());
    }

    [Fact]
    public async Task OAuth2_client_credentials_token_is_cached_and_renewed_after_a_401()
    {
        using var idp = WireMockServer.Start();
        idp.Given(Request.Create().WithPath("/token").UsingPost()).InScenario("tokens").WillSetStateTo("one-issued")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("{\"access_token\":\"t1\",\"token_type\":\"Bearer\",\"expires_in\":3600}"));
        idp.Given(Request.Create().WithPath("/token").UsingPost()).InScenario("tokens").WhenStateIs("one-issued")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("{\"access_token\":\"t2\",\"token_type\":\"Bearer\",\"expires_in\":3600}"));
        _upstream.Given(Request.Create().WithPath("/revoking").UsingGet().WithHeader("Authorization", "Bearer t1"))
            .RespondWith(Response.Create().WithStatusCode(401));
        _upstream.Given(Request.Create().WithPath("/revoking").UsingGet().WithHeader("Authorization", "Bearer t2"))
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("with t2"));

        await using var gateway = await GatewayServer.StartAsync(Upstream("svc", _upstream.Url!,
            ("Auth:Type", "OAuth2ClientCredentials"), ("Auth:TokenUrl", idp.Url + "/token"),
            ("Auth:ClientId", "gateway"), ("Auth:ClientSecret", "s3cret"), ("Auth:Scope", "legacy.read")));

        for (var i = 0; i < 3; i++)
            Assert.Equal("Bearer t1", (await CallOnce(gateway)).Headers!["Authorization"].Single());
        var tokenCalls = idp.Requests("/token");
        var first = Assert.Single(tokenCalls);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("gateway:s3cret")), first.Headers!["Authorization"].Single());
        Assert.Contains("grant_type=client_credentials", first.Body);
        Assert.Contains("scope=legacy.read", first.Body);

        // The upstream refuses t1: the gateway drops it, fetches t2 once, and repeats the call.
        using var response = await gateway.Client.GetAsync("v1/rest/svc/revoking");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("with t2", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, idp.Requests("/token").Count);
        Assert.Equal("Bearer t2", (await CallOnce(gateway)).Headers!["Authorization"].Single());
        Assert.Equal(2, idp.Requests("/token").Count);
    }

    [Theory]
    [InlineData(401, "its token endpoint refused the gateway's credentials (HTTP 401)")]
    [InlineData(400, "its token endpoint refused the gateway's credentials (HTTP 400)")]
    // A token endpoint that is down did not judge the credentials (session-42 probe: every failure said "refused").
    [InlineData(503, "its token endpoint failed (HTTP 503)")]
    [InlineData(500, "its token endpoint failed (HTTP 500)")]
    public async Task A_failing_token_endpoint_is_a_503_problem_without_secrets(int status, string said)
    {
        using var idp = WireMockServer.Start();
        idp.Given(Request.Create().WithPath("/token").UsingPost()).RespondWith(Response.Create().WithStatusCode(status).WithBody("bad client"));
        await using var gateway = await GatewayServer.StartAsync(Upstream("svc", _upstream.Url!,
            ("Auth:Type", "OAuth2ClientCredentials"), ("Auth:TokenUrl", idp.Url + "/token"),
            ("Auth:ClientId", "gateway"), ("Auth:ClientSecret", "s3cret-value"), ("Resilience:MaxRetryAttempts", "0")));
        using var response = await gateway.Client.GetAsync("v1/rest/svc/data");
        var problem = await Problem(response, 503, "unavailable");
        Assert.Contains(said, problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("s3cret-value", problem.ToString());
        Assert.Empty(_upstream.Requests("/data"));
    }

    [Fact]
    public async Task Invalid_upstream_settings_stop_the_gateway_naming_the_setting_not_the_secret()
    {
        var failure = await Record.ExceptionAsync(async () =>
        {
            await using var gateway = await GatewayServer.StartAsync(Upstream("svc", "ftp://example.invalid/",
                ("Auth:Type", "Basic"), ("Auth:Username", "a:b"), ("Auth:Password", "top-secret")));
        });
        Assert.NotNull(failure);
        Assert.Contains("Gateway:Rest:Upstreams:svc:BaseUrl", failure.ToString());
        Assert.Contains("Auth:Username", failure.ToString());
        Assert.DoesNotContain("top-secret", failure.ToString());
    }
}
