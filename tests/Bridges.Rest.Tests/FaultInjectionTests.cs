using System.Net;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static Gateway.Bridges.Rest.Tests.RestTestKit;

namespace Gateway.Bridges.Rest.Tests;

/// <summary>
/// Faults injected by a WireMock.Net upstream: 500s, 503 with Retry-After, slow answers, dropped connections,
/// malformed chunks. Every test counts the attempts the upstream actually saw.
/// </summary>
public sealed class FaultInjectionTests : IAsyncLifetime
{
    readonly WireMockServer _upstream = WireMockServer.Start();
    GatewayServer _gateway = null!;

    // MaxRetryAttempts 2: an idempotent call makes at most 3 attempts.
    public async Task InitializeAsync() => _gateway = await GatewayServer.StartAsync(Upstream("legacy", _upstream.Url!,
        ("Resilience:MaxDelay", "00:00:03")));

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _upstream.Stop();
    }

    void Always(string path, Func<IResponseBuilder, IResponseBuilder> respond) =>
        _upstream.Given(Request.Create().WithPath(path).UsingAnyMethod()).RespondWith(respond(Response.Create()));

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Idempotent_calls_get_exactly_three_attempts_on_500_and_the_last_answer(string method)
    {
        Always("/boom", r => r.WithStatusCode(500).WithHeader("Content-Type", "text/plain").WithBody("kaput"));
        using var request = new HttpRequestMessage(new HttpMethod(method), "v1/rest/legacy/boom");
        if (method == "PUT") request.Content = new StringContent("small body, replayed");
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        if (method != "HEAD") Assert.Equal("kaput", await response.Content.ReadAsStringAsync());
        var attempts = _upstream.Requests("/boom");
        Assert.Equal(3, attempts.Count);
        if (method == "PUT") Assert.All(attempts, a => Assert.Equal("small body, replayed", a.Body));
    }

    [Fact]
    public async Task A_put_whose_body_outgrew_the_replay_buffer_is_not_retried()
    {
        // 100 kB is past the 64 KiB replay buffer: once sent, the body is gone, so there is no second attempt.
        Always("/upload", r => r.WithStatusCode(500));
        using var response = await _gateway.Client.PutAsync("v1/rest/legacy/upload", new StreamContent(new MemoryStream(new byte[100_000])));
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Single(_upstream.Requests("/upload"));
    }

    [Fact]
    public async Task A_post_without_Idempotency_Key_is_never_retried()
    {
        Always("/orders", r => r.WithStatusCode(503));
        using var response = await _gateway.Client.PostAsync("v1/rest/legacy/orders", null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Single(_upstream.Requests("/orders"));
    }

    [Fact]
    public async Task A_post_with_Idempotency_Key_is_retried()
    {
        Always("/orders", r => r.WithStatusCode(503));
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/rest/legacy/orders");
        request.Headers.Add("Idempotency-Key", "order-123");
        using var response = await _gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var attempts = _upstream.Requests("/orders");
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, a => Assert.Equal("order-123", a.Headers!["Idempotency-Key"].Single()));
    }

    [Fact]
    public async Task Client_errors_are_not_retried()
    {
        Always("/missing", r => r.WithStatusCode(404));
        using var response = await _gateway.Client.GetAsync("v1/rest/legacy/missing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Single(_upstream.Requests("/missing"));
    }

    [Fact]
    public async Task A_503_with_Retry_After_is_retried_after_the_asked_pause()
    {
        _upstream.Given(Request.Create().WithPath("/busy").UsingGet()).InScenario("busy").WillSetStateTo("ready")
            .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Retry-After", "1"));
        _upstream.Given(Request.Create().WithPath("/busy").UsingGet()).InScenario("busy").WhenStateIs("ready")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("done"));

        using var response = await _gateway.Client.GetAsync("v1/rest/legacy/busy");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("done", await response.Content.ReadAsStringAsync());
        var attempts = _upstream.Requests("/busy");
        Assert.Equal(2, attempts.Count);
        var pause = attempts[1].DateTime - attempts[0].DateTime;
        Assert.True(pause >= TimeSpan.FromMilliseconds(950), $"the retry came {pause.TotalMilliseconds:0} ms after the 503; Retry-After asked for 1 s");
    }

    [Fact]
    public async Task A_Retry_After_longer_than_the_maximum_delay_is_passed_to_the_caller_without_retry()
    {
        Always("/later", r => r.WithStatusCode(503).WithHeader("Retry-After", "120"));
        using var response = await _gateway.Client.GetAsync("v1/rest/legacy/later");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(120), response.Headers.RetryAfter?.Delta);
        Assert.Single(_upstream.Requests("/later"));
    }

    [Fact]
    public async Task A_slow_upstream_times_out_per_attempt_and_the_caller_gets_a_504_problem()
    {
        // The upstream never answers: only the attempt timeouts, on the test's fake clock, end the call. Each attempt's
        // timeout is let pass only once that attempt has reached the upstream, and retries follow at once (no
        // back-off), so the count of attempts cannot depend on the machine's speed.
        await using var slow = new RawUpstream();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayServer.StartAsync(Upstream("slow", slow.Url,
            ("Resilience:AttemptTimeout", "00:00:01"), ("Resilience:BaseDelay", "00:00:00"), ("Resilience:MaxRetryAttempts", "2")),
            services: s => s.AddSingleton<TimeProvider>(time));
        var call = gateway.Client.GetAsync("v1/rest/slow/slow");
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await slow.WaitForRequestsAsync(attempt, TimeSpan.FromSeconds(30));
            Assert.False(call.IsCompleted, $"the call ended before attempt {attempt} timed out");
            time.Advance(TimeSpan.FromSeconds(1));
        }
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(30));
        await Problem(response, 504, "timeout");
        Assert.Equal(3, slow.Requests);
    }

    [Fact]
    public async Task A_slow_post_is_attempted_once()
    {
        using var slow = WireMockServer.Start();
        slow.Given(Request.Create().WithPath("/slow-post").UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(4)));
        await using var gateway = await GatewayServer.StartAsync(Upstream("slow", slow.Url!, ("Resilience:AttemptTimeout", "00:00:01")));
        await WarmUp(gateway, slow, "slow");
        using var response = await gateway.Client.PostAsync("v1/rest/slow/slow-post", new StringContent("{}"));
        await Problem(response, 504, "timeout");
        await WaitUntil(() => Task.FromResult(slow.Requests("/slow-post").Count >= 1), TimeSpan.FromSeconds(20), "the attempt logged by the upstream");
        Assert.Single(slow.Requests("/slow-post"));
    }

    [Fact]
    public async Task Dropped_connections_are_retried_for_get_then_answered_502()
    {
        using var dropping = new FaultyServer(Fault.DropConnection);
        await using var gateway = await GatewayServer.StartAsync(Upstream("dropping", dropping.Url));
        using var response = await gateway.Client.GetAsync("v1/rest/dropping/x");
        await Problem(response, 502, "bad-gateway");
        Assert.Equal(3, dropping.Requests);
    }

    [Fact]
    public async Task Dropped_connections_are_not_retried_for_post()
    {
        using var dropping = new FaultyServer(Fault.DropConnection);
        await using var gateway = await GatewayServer.StartAsync(Upstream("dropping", dropping.Url));
        using var response = await gateway.Client.PostAsync("v1/rest/dropping/x", new StringContent("{}"));
        await Problem(response, 502, "bad-gateway");
        Assert.Equal(1, dropping.Requests);
    }

    [Fact]
    public async Task An_answer_that_is_not_HTTP_is_retried_then_answered_502()
    {
        using var garbage = new FaultyServer(Fault.NotHttp);
        await using var gateway = await GatewayServer.StartAsync(Upstream("garbage", garbage.Url));
        using var response = await gateway.Client.GetAsync("v1/rest/garbage/x");
        await Problem(response, 502, "bad-gateway");
        Assert.Equal(3, garbage.Requests);
    }

    [Theory]
    // A 101 the gateway never asked for (Upgrade is not forwarded): its body was the raw connection, so the call hung.
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")]
    // Not HTTP statuses (RFC 9110 §15): they were passed on to the caller as they were.
    [InlineData("HTTP/1.1 600 Made Up\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 999 Made Up\r\nContent-Length: 0\r\n\r\n")]
    public async Task A_status_that_is_not_a_final_http_status_is_retried_then_answered_502(string answer)
    {
        await using var odd = new RawUpstream(answer);
        await using var gateway = await GatewayServer.StartAsync(Upstream("odd", odd.Url));
        using var response = await gateway.Client.GetAsync("v1/rest/odd/x", HttpCompletionOption.ResponseHeadersRead)
            .WaitAsync(TimeSpan.FromSeconds(60));
        await Problem(response, 502, "bad-gateway");
        Assert.Equal(3, odd.Requests);
    }

    [Theory]
    // Raw UTF-8 in a value (HttpClient reads it as Latin-1), a control character, a non-ASCII Content-Type: Kestrel refused
    // to write them and the caller got the gateway's 500 "a bug", for an upstream's bad answer.
    [InlineData("X-Name: caf\u00c3\u00a9")]
    [InlineData("X-Name: a\u0001b")]
    [InlineData("Content-Type: text/caf\u00c3\u00a9")]
    public async Task A_header_the_gateway_cannot_send_on_is_a_502_not_a_500(string header)
    {
        await using var odd = new RawUpstream($"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n{header}\r\n\r\nok");
        await using var gateway = await GatewayServer.StartAsync(Upstream("odd", odd.Url));
        using var response = await gateway.Client.GetAsync("v1/rest/odd/x");
        var problem = await Problem(response, 502, "bad-gateway");
        Assert.Contains($"'{header[..header.IndexOf(':', StringComparison.Ordinal)]}' header", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    // RFC 9112 section 6.3: a proxy discards an answer whose length is ambiguous. The first was passed on with the first
    // length believed; the last failed the gateway's own write (the chunked body did not match the copied length) as a 500.
    [InlineData("Content-Length: 5\r\nContent-Length: 3\r\n\r\nabcde")]
    [InlineData("Content-Length: 3, 5\r\n\r\nabcde")]
    [InlineData("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")]
    public async Task An_answer_whose_length_is_ambiguous_is_a_502(string rest)
    {
        await using var odd = new RawUpstream("HTTP/1.1 200 OK\r\n" + rest);
        await using var gateway = await GatewayServer.StartAsync(Upstream("odd", odd.Url, ("Resilience:MaxRetryAttempts", "0")));
        using var response = await gateway.Client.GetAsync("v1/rest/odd/x");
        var problem = await Problem(response, 502, "bad-gateway");
        Assert.Contains("length is ambiguous", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A transfer coding other than chunked is one hop's and .NET undoes only chunked: the caller got gzip bytes as the
    /// plain body, with nothing saying so (session-43 probe). Refused as nginx refuses it.
    /// </summary>
    [Fact]
    public async Task An_answer_with_a_transfer_coding_other_than_chunked_is_a_502()
    {
        var gzipped = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(gzipped, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("hello compressed world ", 20))));
        var body = System.Text.Encoding.Latin1.GetString(gzipped.ToArray());
        await using var coded = new RawUpstream($"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n{body.Length:x}\r\n{body}\r\n0\r\n\r\n");
        await using var gateway = await GatewayServer.StartAsync(Upstream("coded", coded.Url, ("Resilience:MaxRetryAttempts", "0")));
        using var response = await gateway.Client.GetAsync("v1/rest/coded/x");
        var problem = await Problem(response, 502, "bad-gateway");
        Assert.Contains("transfer coding 'gzip'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_header_value_with_a_tab_passes_through()
    {
        await using var upstream = new RawUpstream("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Name: a\tb\r\n\r\nok");
        await using var gateway = await GatewayServer.StartAsync(Upstream("tabbed", upstream.Url));
        using var response = await gateway.Client.GetAsync("v1/rest/tabbed/x");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("a\tb", Assert.Single(response.Headers.GetValues("X-Name")));
    }

    [Fact]
    public async Task An_upstream_that_is_down_is_a_502_problem_as_a_reverse_proxy_answers()
    {
        // Nothing listens: the connection is refused. Before, this was 503, the gateway's answer for its own refusals
        // (open circuit, full limiter); a reverse proxy (YARP, Envoy) answers 502 when the upstream itself fails.
        await using var gateway = await GatewayServer.StartAsync(Upstream("down", $"http://127.0.0.1:{ClosedPort()}/"));
        using var response = await gateway.Client.GetAsync("v1/rest/down/x");
        var problem = await Problem(response, 502, "bad-gateway");
        Assert.Contains("could not be reached", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>A loopback port nothing listens on (taken, then released).</summary>
    static int ClosedPort()
    {
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    [Theory]
    [InlineData(Fault.MalformedChunk)]
    [InlineData(Fault.TruncatedBody)]
    public async Task A_body_broken_midway_aborts_the_callers_response_instead_of_ending_it_cleanly(Fault fault)
    {
        using var broken = new FaultyServer(fault);
        await using var gateway = await GatewayServer.StartAsync(Upstream("broken", broken.Url));
        var failure = await Record.ExceptionAsync(async () =>
        {
            using var response = await gateway.Client.GetAsync("v1/rest/broken/x", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.Fail($"a body of {body.Length} bytes was taken for complete");
        });
        Assert.True(failure is HttpRequestException or IOException, $"unexpected: {failure}");
        Assert.Equal(1, broken.Requests);
    }

    /// <summary>
    /// An upstream that reads a call and closes without answering may have acted on it. A bodiless POST or PATCH reached it
    /// four times with retries off (session-43 probe): .NET's handler sends a request without content again when its
    /// connection closes before the answer. Each attempt the resilience pipeline makes now reaches the upstream once.
    /// </summary>
    [Theory]
    [InlineData("POST", "0", 1)]
    [InlineData("PATCH", "0", 1)]
    [InlineData("DELETE", "2", 3)]
    public async Task An_upstream_closing_without_an_answer_gets_each_attempt_once(string method, string retries, int expected)
    {
        using var silent = new FaultyServer(Fault.NoAnswer);
        await using var gateway = await GatewayServer.StartAsync(Upstream("silent", silent.Url, ("Resilience:MaxRetryAttempts", retries)));
        using var response = await gateway.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "v1/rest/silent/orders/7/ship"));
        await Problem(response, 502, "bad-gateway");
        Assert.Equal(expected, silent.Requests);
    }

    /// <summary>
    /// MaxResponseBodyBytes bounds the bytes an answer streams: a GET stating a longer body is refused before any of it,
    /// but a HEAD's answer and a 304 state the representation's length and carry no body, so they pass (session-43 probe:
    /// both were a 503, so every HEAD or revalidation of a large resource failed).
    /// </summary>
    [Fact]
    public async Task The_response_limit_refuses_a_longer_body_but_not_a_HEAD_or_a_304_stating_one()
    {
        await using var large = new RawUpstream("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nETag: \"v1\"\r\n\r\n");
        await using var unchanged = new RawUpstream("HTTP/1.1 304 Not Modified\r\nContent-Length: 5000\r\nETag: \"v1\"\r\n\r\n");
        var settings = Upstream("large", large.Url, ("MaxResponseBodyBytes", "1000"), ("Resilience:MaxRetryAttempts", "0"));
        foreach (var (k, v) in Upstream("unchanged", unchanged.Url, ("MaxResponseBodyBytes", "1000"))) settings[k] = v;
        await using var gateway = await GatewayServer.StartAsync(settings);

        using (var head = await gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "v1/rest/large/file")))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(5000, head.Content.Headers.ContentLength);
        }
        using (var revalidated = new HttpRequestMessage(HttpMethod.Get, "v1/rest/unchanged/file"))
        {
            revalidated.Headers.TryAddWithoutValidation("If-None-Match", "\"v1\"");
            using var answer = await gateway.Client.SendAsync(revalidated);
            Assert.Equal(HttpStatusCode.NotModified, answer.StatusCode);
        }
        using var get = await gateway.Client.GetAsync("v1/rest/large/file");
        await Problem(get, 503, "unavailable");
    }
}
