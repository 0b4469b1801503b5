using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static Gateway.Bridges.Rest.Tests.RestTestKit;

namespace Gateway.Bridges.Rest.Tests;

/// <summary>
/// What the REST timeouts measure. A session-43 probe found that AttemptTimeout and TotalTimeout ran while the gateway
/// was still reading a slow caller's upload: the upload was cut off, answered 504 "did not answer", and counted against
/// the upstream's circuit, so ten callers on slow links took the upstream offline for everyone. It also found no bound
/// on an answer that stops flowing after its head. Now the clocks stop while the caller's body is awaited, and an
/// answer silent for ResponseIdleTimeout is aborted.
/// </summary>
public sealed class UpstreamTimingTests
{
    private const int Chunk = 100_000;

    [Fact]
    public async Task A_caller_uploading_slower_than_the_timeouts_allow_is_not_cut_off_nor_counted_against_the_upstream()
    {
        using var upstream = WireMockServer.Start();
        upstream.Given(Request.Create().WithPath("/upload").UsingPut()).RespondWith(Response.Create().WithStatusCode(201).WithBody("stored"));
        await using var gateway = await GatewayServer.StartAsync(Upstream("slowcaller", upstream.Url!,
            ("Resilience:AttemptTimeout", "00:00:02"), ("Resilience:TotalTimeout", "00:00:03"), ("Resilience:MinimumThroughput", "2"),
            ("Resilience:FailureRatio", "0.1")));
        await WarmUp(gateway, upstream, "slowcaller");

        // The caller sends 5 chunks of 100 KB 1.2 s apart (a small body is taken whole before the call starts): 6 s for the whole body, twice the total timeout. The pauses are the
        // slow link this test is about, not a wait for something to happen.
        var pipe = new Pipe();
        var content = new StreamContent(pipe.Reader.AsStream());
        content.Headers.ContentLength = 5 * Chunk;
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var call = gateway.Client.PutAsync("v1/rest/slowcaller/upload", content);
        for (var i = 0; i < 5; i++)
        {
            if (i > 0) await Task.Delay(TimeSpan.FromMilliseconds(1200));
            await pipe.Writer.WriteAsync(new byte[Chunk]);
        }
        await pipe.Writer.CompleteAsync();

        using var response = await call.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("stored", await response.Content.ReadAsStringAsync());
        Assert.Equal(5 * Chunk, upstream.Requests("/upload").Single().BodyAsBytes!.Length);
        var bridge = await Bridge(gateway, "rest", "slowcaller");
        Assert.Equal(0, bridge.GetProperty("failures").GetInt64());
        Assert.Equal("closed", bridge.GetProperty("circuit").GetString());
    }

    [Fact]
    public async Task A_call_with_a_body_still_times_out_once_the_body_is_in_and_the_upstream_does_not_answer()
    {
        await using var silent = new RawUpstream();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayServer.StartAsync(Upstream("silent", silent.Url,
            ("Resilience:AttemptTimeout", "00:00:02"), ("Resilience:TotalTimeout", "00:00:05"), ("Resilience:MaxRetryAttempts", "5"),
            ("Resilience:BaseDelay", "00:00:00")),
            services: s => s.AddSingleton<TimeProvider>(time));
        var call = gateway.Client.PutAsync("v1/rest/silent/item", new StringContent("{\"a\":1}"));
        await silent.WaitForRequestsAsync(1, TimeSpan.FromSeconds(30));

        // Time moves a second at a time until the call ends: the clocks run once the body is in. Attempts time out after
        // 2 s and are retried (the body is replayable), until the total of 5 s ends the call.
        for (var i = 0; i < 30 && !call.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(call, Task.Delay(100));
        }
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(30));
        var problem = await Problem(response, 504, "timeout");
        Assert.Contains("within 5 s", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.InRange(silent.Requests, 2, 3);
    }

    [Fact]
    public async Task An_answer_that_stops_flowing_is_aborted_after_the_idle_timeout()
    {
        await using var stalling = new RawUpstream("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nabc");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayServer.StartAsync(Upstream("stall", stalling.Url, ("ResponseIdleTimeout", "00:00:05")),
            services: s => s.AddSingleton<TimeProvider>(time));

        using var response = await gateway.Client.GetAsync("v1/rest/stall/body", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStreamAsync();
        var received = new MemoryStream();
        var rest = body.CopyToAsync(received);
        for (var i = 0; i < 30 && !rest.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.WhenAny(rest, Task.Delay(100));
        }
        // Aborted, never ended as if the 3 bytes were the whole answer.
        var failure = await Record.ExceptionAsync(() => rest.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(failure is HttpRequestException or IOException, $"the stalled answer ended as if whole ({failure})");
        Assert.True(received.Length <= 3, $"{received.Length} bytes of a 3-byte start");
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("2.00:00:00")]
    public async Task A_response_idle_timeout_out_of_range_stops_the_start_naming_it(string value)
    {
        var failure = await Record.ExceptionAsync(async () =>
        {
            await using var gateway = await GatewayServer.StartAsync(Upstream("idle", "http://127.0.0.1:9/", ("ResponseIdleTimeout", value)));
        });
        Assert.NotNull(failure);
        Assert.Contains("Gateway:Rest:Upstreams:idle:ResponseIdleTimeout", failure.Message, StringComparison.Ordinal);
    }
}
