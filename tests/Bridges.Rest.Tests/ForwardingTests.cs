using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Gateway.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static Gateway.Bridges.Rest.Tests.RestTestKit;

namespace Gateway.Bridges.Rest.Tests;

/// <summary>Path, query, header and body translation toward a WireMock.Net upstream, end to end through the gateway.</summary>
public sealed class ForwardingTests : IAsyncLifetime
{
    readonly WireMockServer _upstream = WireMockServer.Start();
    GatewayServer _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayServer.StartAsync(Upstream("legacy", _upstream.Url + "/base",
        ("PathPrefix", "api/v2"), ("RemovePathPrefix", "old"),
        ("RequestHeaders:Set:X-Tenant", "acme"), ("RequestHeaders:Remove:0", "X-Internal"),
        ("ResponseHeaders:Set:X-Served-By", "gateway"), ("ResponseHeaders:Remove:0", "X-Upstream-Secret"),
        ("PublicHost", "gateway.example.com")));

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _upstream.Stop();
    }

    [Fact]
    public async Task Get_rewrites_path_passes_query_and_returns_the_upstream_answer()
    {
        _upstream.Given(Request.Create().WithPath("/base/api/v2/items/42").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithHeader("X-Upstream-Secret", "s3cr3t").WithHeader("ETag", "\"v7\"").WithBody("{\"id\":42}"));

        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/rest/legacy/old/items/42?a=1&b=x%20y&b=z");
        request.Headers.Add("X-Custom", "kept");
        request.Headers.Add("X-Internal", "removed");
        // The gateway credential in Authorization (one credential per request: no X-Api-Key beside it).
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", _gateway.ApiKey);
        request.Headers.Add("X-Forwarded-For", "6.6.6.6");
        using var client = new HttpClient { BaseAddress = _gateway.BaseAddress };
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"id\":42}", await response.Content.ReadAsStringAsync());
        Assert.Equal("\"v7\"", response.Headers.ETag?.Tag);
        Assert.Equal("gateway", Assert.Single(response.Headers.GetValues("X-Served-By")));
        Assert.False(response.Headers.Contains("X-Upstream-Secret"));

        var seen = Assert.Single(_upstream.Requests("/base/api/v2/items/42"));
        Assert.Equal("?a=1&b=x%20y&b=z", new Uri(seen.AbsoluteUrl).Query);
        var headers = seen.Headers!;
        Assert.Equal("kept", headers["X-Custom"].Single());
        Assert.Equal("acme", headers["X-Tenant"].Single());
        Assert.False(headers.ContainsKey("X-Internal"));
        Assert.False(headers.ContainsKey("Authorization"), "the caller's credential toward the gateway must not reach the upstream");
        Assert.False(headers.ContainsKey("X-Api-Key"), "the caller's API key toward the gateway must not reach the upstream");
        Assert.Equal("127.0.0.1", headers["X-Forwarded-For"].Single());
        Assert.Equal("http", headers["X-Forwarded-Proto"].Single());
        Assert.Equal("gateway.example.com", headers["X-Forwarded-Host"].Single());
        Assert.Equal("/v1/rest/legacy", headers["X-Forwarded-Prefix"].Single());
    }

    [Fact]
    public async Task Calls_ride_the_channel_and_leave_a_verified_witness_of_the_response_body()
    {
        _upstream.Given(Request.Create().WithPath("/base/api/v2/witnessed").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("witnessed body"));
        using var response = await _gateway.Client.GetAsync("v1/rest/legacy/witnessed?secret=caller-data");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        var requestId = Assert.Single(response.Headers.GetValues("X-Request-Id"));

        var list = await _gateway.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"v1/witnesses/{requestId}");
        var witness = Assert.Single(list.GetProperty("witnesses").EnumerateArray());
        Assert.Equal("rest.forward", witness.GetProperty("operation").GetString());
        Assert.Equal("legacy/GET /witnessed", witness.GetProperty("target").GetString());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)), witness.GetProperty("responseBodySha256").GetString());
    }

    [Fact]
    public async Task Hop_by_hop_headers_and_those_named_in_Connection_are_dropped()
    {
        _upstream.Given(Request.Create().WithPath("/base/api/v2/hop").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("ok"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/rest/legacy/hop");
        request.Headers.Connection.Add("X-Per-Connection");
        request.Headers.Add("X-Per-Connection", "1");
        request.Headers.Add("Proxy-Authorization", "Basic Zm9vOmJhcg==");
        request.Headers.Add("Upgrade", "websocket");
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = Assert.Single(_upstream.Requests("/base/api/v2/hop")).Headers!;
        Assert.False(headers.ContainsKey("X-Per-Connection"));
        Assert.False(headers.ContainsKey("Proxy-Authorization"));
        Assert.False(headers.ContainsKey("Upgrade"));
    }

    /// <summary>
    /// The method and URL overrides web frameworks honour never reach the upstream: the gateway authorized GET on this
    /// path, and an upstream honouring X-HTTP-Method-Override would have run a DELETE (a black-box probe, session 42).
    /// Other headers still pass.
    /// </summary>
    [Fact]
    public async Task Method_and_url_override_headers_are_dropped()
    {
        _upstream.Given(Request.Create().WithPath("/base/api/v2/override").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("ok"));
        string[] overrides = ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override", "X-Original-URL", "X-Rewrite-URL"];
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/rest/legacy/override");
        foreach (var name in overrides) request.Headers.Add(name, name.EndsWith("URL", StringComparison.Ordinal) ? "/admin/delete-all" : "DELETE");
        request.Headers.Add("X-Kept", "1");
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = Assert.Single(_upstream.Requests("/base/api/v2/override")).Headers!;
        Assert.All(overrides, name => Assert.DoesNotContain(headers.Keys, k => k.Equals(name, StringComparison.OrdinalIgnoreCase)));
        Assert.Equal("1", headers["X-Kept"].Single());
    }

    /// <summary>
    /// Response headers reach the caller as the upstream wrote them: a product list stays one Server field, Cache-Control
    /// keeps its order, several Set-Cookie fields stay apart, an unparsable Expires passes as it is.
    /// </summary>
    [Fact]
    public async Task Response_headers_pass_as_the_upstream_wrote_them()
    {
        _upstream.Given(Request.Create().WithPath("/base/api/v2/raw-headers").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("ok")
                .WithHeader("Server", "BaseHTTP/0.6 Python/3.11.7")
                .WithHeader("Cache-Control", "private, max-age=0, no-store")
                .WithHeader("Set-Cookie", "a=1; Path=/", "b=2; Path=/")
                .WithHeader("Expires", "0")
                .WithHeader("X-Listed", "one, \"two, three\""));

        using var raw = new System.Net.Sockets.TcpClient();
        await raw.ConnectAsync(_gateway.BaseAddress.Host, _gateway.BaseAddress.Port);
        var stream = raw.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /v1/rest/legacy/raw-headers HTTP/1.1\r\nHost: {_gateway.BaseAddress.Authority}\r\nX-Api-Key: {_gateway.ApiKey}\r\nConnection: close\r\n\r\n"));
        var answer = await new StreamReader(stream, Encoding.ASCII).ReadToEndAsync();
        var head = answer[..answer.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        var fields = head.Split("\r\n").Skip(1).Select(l => (Name: l[..l.IndexOf(':')], Value: l[(l.IndexOf(':') + 1)..].Trim())).ToList();
        string[] Field(string name) => fields.Where(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(f => f.Value).ToArray();

        Assert.StartsWith("HTTP/1.1 200", head);
        Assert.Equal(["BaseHTTP/0.6 Python/3.11.7"], Field("Server"));
        Assert.Equal(["private, max-age=0, no-store"], Field("Cache-Control"));
        Assert.Equal(["a=1; Path=/", "b=2; Path=/"], Field("Set-Cookie"));
        Assert.Equal(["0"], Field("Expires"));
        Assert.Equal("one, \"two, three\"", string.Join(", ", Field("X-Listed")));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task Bodies_and_methods_pass_through(string method)
    {
        _upstream.Given(Request.Create().WithPath("/base/api/v2/echo").UsingMethod(method))
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "text/plain").WithBody("created"));
        var payload = new string('x', 200_000) + method;
        using var request = new HttpRequestMessage(new HttpMethod(method), "v1/rest/legacy/echo")
        {
            Content = new StringContent(payload, Encoding.UTF8, "text/plain"),
        };
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("created", await response.Content.ReadAsStringAsync());
        var seen = Assert.Single(_upstream.Requests("/base/api/v2/echo"));
        Assert.Equal(method, seen.Method);
        Assert.Equal(payload, seen.Body);
        Assert.StartsWith("text/plain", seen.Headers!["Content-Type"].Single());
    }

    [Fact]
    public async Task A_large_response_streams_back_whole()
    {
        var body = new byte[3 * 1024 * 1024];
        new Random(7).NextBytes(body);
        _upstream.Given(Request.Create().WithPath("/base/api/v2/blob").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/octet-stream").WithBody(body));
        var received = await _gateway.Client.GetByteArrayAsync("v1/rest/legacy/blob");
        Assert.Equal(body, received);
    }

    [Fact]
    public async Task A_malformed_body_is_passed_on_untouched()
    {
        const string broken = "{\"id\": 42, \"name\": \"unterminated";
        _upstream.Given(Request.Create().WithPath("/base/api/v2/broken-json").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(broken));
        using var response = await _gateway.Client.GetAsync("v1/rest/legacy/broken-json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(broken, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unknown_upstream_is_a_404_problem_and_calls_nothing()
    {
        using var response = await _gateway.Client.GetAsync("v1/rest/nope/items");
        await Problem(response, 404, "not-found");
        Assert.Empty(_upstream.LogEntries);
    }

    [Theory]
    [InlineData("/v1/rest/legacy/%2e%2e/%2e%2e/admin")]
    [InlineData("/v1/rest/legacy/../../admin")]
    [InlineData("/v1/rest/legacy/a%2F..%2Fb")]
    // A dot segment with path parameters: servlet containers (Tomcat, Jetty) drop the parameters and then take it as '..'.
    [InlineData("/v1/rest/legacy/..;/admin")]
    [InlineData("/v1/rest/legacy/a/..;x=1/..;/admin")]
    [InlineData("/v1/rest/legacy/%2e%2e;/admin")]
    [InlineData("/v1/rest/legacy/..%3B/admin")]
    [InlineData("/v1/rest/legacy/.;/admin")]
    public async Task Traversal_attempts_are_refused(string target)
    {
        _upstream.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200).WithBody("reached"));
        // HttpClient would normalise the dots away before sending, so the request line is written by hand. Both
        // requests carry the admin's credentials, so only the traversal check can keep the second from the upstream.
        var control = await RawHttp.SendAsync(_gateway, "GET", "/v1/rest/legacy/admin");
        Assert.True(control.Status == 200, $"the control request did not reach the upstream: {control.Status} {control.Body}");
        Assert.Single(_upstream.LogEntries);

        var answer = await RawHttp.SendAsync(_gateway, "GET", target);
        Assert.True(answer.Status == 400, $"{target}: {answer.Status} {answer.Body}");
        Assert.Equal("application/problem+json", answer.ContentType.Split(';')[0].Trim());
        Assert.Single(_upstream.LogEntries);
    }

    [Fact]
    public async Task A_caller_chosen_url_in_the_path_stays_on_the_configured_host()
    {
        _upstream.Given(Request.Create().UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody("here"));
        using var response = await _gateway.Client.GetAsync("v1/rest/legacy/http:%2F%2Fevil.example/x");
        // Encoded slashes are refused outright; the plain form is just path segments on the configured host.
        await Problem(response, 400, "bad-request");
        using var plain = await _gateway.Client.GetAsync("v1/rest/legacy/http://evil.example/x");
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        var seen = Assert.Single(_upstream.Requests());
        Assert.Equal(new Uri(_upstream.Url!).Port, new Uri(seen.AbsoluteUrl).Port);
        Assert.StartsWith("/base/api/v2/http:", seen.Path);
    }

    /// <summary>
    /// As YARP and nginx (proxy_redirect default) do: a Location under the upstream's own base becomes the gateway path, any
    /// other (a foreign host, the upstream's host outside its base, a relative reference) passes through as the upstream wrote it.
    /// </summary>
    [Fact]
    public async Task Redirects_are_returned_not_followed()
    {
        using var elsewhere = WireMockServer.Start();
        elsewhere.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200));
        _upstream.Given(Request.Create().WithPath("/base/api/v2/moved").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(302).WithHeader("Location", elsewhere.Url + "/steal"));
        _upstream.Given(Request.Create().WithPath("/base/api/v2/moved-inside").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(301).WithHeader("Location", _upstream.Url + "/base/api/v2/new-home"));

        using var client = _gateway.CreateClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var away = await client.GetAsync("v1/rest/legacy/moved");
        Assert.Equal(HttpStatusCode.Found, away.StatusCode);
        Assert.Equal(elsewhere.Url + "/steal", away.Headers.Location?.ToString());
        Assert.Empty(elsewhere.LogEntries);

        // Under the gateway, on its PublicHost: the caller's own Host is not one this upstream allows.
        using var inside = await client.GetAsync("v1/rest/legacy/moved-inside");
        Assert.Equal(HttpStatusCode.MovedPermanently, inside.StatusCode);
        Assert.Equal(new Uri("http://gateway.example.com/v1/rest/legacy/new-home"), inside.Headers.Location);
        // A forged Host never names the redirect's target (a shared cache would hand that redirect to everyone).
        using var forged = new HttpRequestMessage(HttpMethod.Get, "v1/rest/legacy/moved-inside") { Headers = { Host = "evil.example" } };
        using var notForged = await client.SendAsync(forged);
        Assert.Equal(new Uri("http://gateway.example.com/v1/rest/legacy/new-home"), notForged.Headers.Location);

        _upstream.Given(Request.Create().WithPath("/base/api/v2/moved-beside").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(307).WithHeader("Location", _upstream.Url + "/base/other?q=1"));
        _upstream.Given(Request.Create().WithPath("/base/api/v2/moved-relative").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(303).WithHeader("Location", "/base/api/v2/new-home"));
        using var beside = await client.GetAsync("v1/rest/legacy/moved-beside");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, beside.StatusCode);
        Assert.Equal(_upstream.Url + "/base/other?q=1", beside.Headers.Location?.ToString());
        using var relative = await client.GetAsync("v1/rest/legacy/moved-relative");
        Assert.Equal(HttpStatusCode.SeeOther, relative.StatusCode);
        Assert.Equal("/base/api/v2/new-home", relative.Headers.Location?.OriginalString);
        Assert.Empty(elsewhere.LogEntries);
    }

    /// <summary>
    /// A session-43 probe: below a PathPrefix, '/v1/rest/legacy/' went as 'api/v2' without the caller's slash, and a
    /// directory-style upstream's redirect to 'api/v2/' came back as '/v1/rest/legacy/' again, a loop that never reached
    /// the index. The bare '/v1/rest/legacy' is the prefix itself and still goes without one.
    /// </summary>
    [Fact]
    public async Task The_prefixs_index_is_reached_with_the_callers_trailing_slash_and_the_bare_prefix_without_one()
    {
        _upstream.Given(Request.Create().WithPath("/base/api/v2/").UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody("index"));
        _upstream.Given(Request.Create().WithPath("/base/api/v2").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(301).WithHeader("Location", _upstream.Url + "/base/api/v2/"));
        using var client = _gateway.CreateClient(new SocketsHttpHandler { AllowAutoRedirect = false });

        foreach (var path in new[] { "v1/rest/legacy/", "v1/rest/legacy/old/" })
        {
            using var index = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, index.StatusCode);
            Assert.Equal("index", await index.Content.ReadAsStringAsync());
        }
        using var bare = await client.GetAsync("v1/rest/legacy");
        Assert.Equal(HttpStatusCode.MovedPermanently, bare.StatusCode);
        Assert.Equal(new Uri("http://gateway.example.com/v1/rest/legacy/"), bare.Headers.Location);
        Assert.Equal(2, _upstream.Requests("/base/api/v2/").Count);
        Assert.Single(_upstream.Requests("/base/api/v2"));
    }

    /// <summary>
    /// A session-43 probe: a redirect to an upstream path that starts with RemovePathPrefix ('old/report' below the
    /// prefix) was shown as '/v1/rest/legacy/old/report', which the way in shortens to 'report': another resource. It now
    /// keeps the removed segment once more, so following it reaches the resource the upstream named.
    /// </summary>
    [Fact]
    public async Task A_redirect_to_a_path_starting_with_the_removed_prefix_leads_back_to_that_path()
    {
        _upstream.Given(Request.Create().WithPath("/base/api/v2/r/loc-old").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(302).WithHeader("Location", _upstream.Url + "/base/api/v2/old/report?x=1"));
        _upstream.Given(Request.Create().WithPath("/base/api/v2/old/report").UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody("report"));
        using var client = _gateway.CreateClient(new SocketsHttpHandler { AllowAutoRedirect = false });

        using var moved = await client.GetAsync("v1/rest/legacy/r/loc-old");
        Assert.Equal(HttpStatusCode.Found, moved.StatusCode);
        var location = moved.Headers.Location!;
        Assert.Equal(new Uri("http://gateway.example.com/v1/rest/legacy/old/old/report?x=1"), location);
        using var followed = await client.GetAsync(location.PathAndQuery.TrimStart('/'));
        Assert.Equal("report", await followed.Content.ReadAsStringAsync());
        Assert.Single(_upstream.Requests("/base/api/v2/old/report"));
    }

    /// <summary>
    /// An answer without a Content-Length (server-sent events, NDJSON progress) passes as it comes: until session 43 the
    /// last byte of each piece (the newline ending a line or an event) was held back until the next piece came.
    /// </summary>
    [Fact]
    public async Task A_streamed_answer_without_a_length_passes_each_line_as_it_comes()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _upstream.Given(Request.Create().WithPath("/base/api/v2/events").UsingGet()).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "text/event-stream")
            .WithSseBody(async (_, queue) =>
            {
                queue.Write("data: one\n\n");
                await release.Task;
                queue.Write("data: two\n\n");
                queue.Close();
            }));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await _gateway.Client.GetAsync("v1/rest/legacy/events", HttpCompletionOption.ResponseHeadersRead, stop.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentLength);
        var body = await response.Content.ReadAsStreamAsync(stop.Token);
        var seen = new StringBuilder();
        var buffer = new byte[256];
        // The whole first event, its closing blank line too, while the upstream still holds the second.
        while (seen.ToString() != "data: one\n\n")
        {
            var n = await body.ReadAsync(buffer, stop.Token);
            Assert.True(n > 0, $"the answer ended after '{seen}'");
            seen.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        release.SetResult();
        seen.Append(await new StreamReader(body).ReadToEndAsync(stop.Token));
        Assert.Equal("data: one\n\ndata: two\n\n", seen.ToString());
    }
}
