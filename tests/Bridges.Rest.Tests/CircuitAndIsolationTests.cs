using System.Net;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static Gateway.Bridges.Rest.Tests.RestTestKit;

namespace Gateway.Bridges.Rest.Tests;

public sealed class CircuitAndIsolationTests
{
    /// <summary>The gateway with its resilience clock (Polly's circuit breaker and timeouts) on the test's fake time.</summary>
    static Task<GatewayServer> StartOnFakeTime(FakeTimeProvider time, Dictionary<string, string?> settings) =>
        GatewayServer.StartAsync(settings, services: s => s.AddSingleton<TimeProvider>(time));

    [Fact]
    public async Task The_circuit_opens_on_failures_fails_fast_and_closes_again_after_a_good_probe()
    {
        using var upstream = WireMockServer.Start();
        upstream.Given(Request.Create().WithPath("/flaky").UsingGet()).RespondWith(Response.Create().WithStatusCode(500));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await StartOnFakeTime(time, Upstream("flaky", upstream.Url!,
            ("Resilience:MaxRetryAttempts", "0"), ("Resilience:MinimumThroughput", "4"), ("Resilience:FailureRatio", "0.5"),
            ("Resilience:SamplingDuration", "00:00:30"), ("Resilience:BreakDuration", "00:00:20")));

        Assert.Equal("unknown", (await Bridge(gateway, "rest", "flaky")).GetProperty("health").GetString());
        for (var i = 0; i < 4; i++)
        {
            using var failed = await gateway.Client.GetAsync("v1/rest/flaky/flaky");
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }
        Assert.Equal(4, upstream.Requests("/flaky").Count);

        // Open: answered by the gateway itself (the upstream sees nothing more), however long the test machine takes.
        using (var fast = await gateway.Client.GetAsync("v1/rest/flaky/flaky"))
        {
            var problem = await Problem(fast, 503, "unavailable");
            Assert.Contains("circuit", problem.GetProperty("detail").GetString());
        }
        Assert.Equal(4, upstream.Requests("/flaky").Count);
        var open = await Bridge(gateway, "rest", "flaky");
        Assert.Equal("open", open.GetProperty("circuit").GetString());
        Assert.Equal("unhealthy", open.GetProperty("health").GetString());
        // Its one destination is not called while the circuit is open: not shown healthy (session-42 probe).
        var destination = Assert.Single(open.GetProperty("details").EnumerateObject(), d => d.Name.StartsWith("destination:", StringComparison.Ordinal));
        Assert.EndsWith(" not called: circuit open", destination.Value.GetString());

        // The upstream recovers, but the break is not over yet: still turned away.
        upstream.ResetMappings();
        upstream.Given(Request.Create().WithPath("/flaky").UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody("back"));
        time.Advance(TimeSpan.FromSeconds(19));
        using (var stillOpen = await gateway.Client.GetAsync("v1/rest/flaky/flaky"))
            await Problem(stillOpen, 503, "unavailable");
        Assert.Equal(4, upstream.Requests("/flaky").Count);

        // After the break one probe goes through and closes the circuit.
        time.Advance(TimeSpan.FromSeconds(2));
        using (var probe = await gateway.Client.GetAsync("v1/rest/flaky/flaky"))
        {
            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
            Assert.Equal("back", await probe.Content.ReadAsStringAsync());
        }
        Assert.Equal(5, upstream.Requests("/flaky").Count);
        var closed = await Bridge(gateway, "rest", "flaky");
        Assert.Equal("closed", closed.GetProperty("circuit").GetString());
        Assert.Equal("healthy", closed.GetProperty("health").GetString());
        Assert.EndsWith(" healthy", closed.GetProperty("details").EnumerateObject().Single(d => d.Name.StartsWith("destination:", StringComparison.Ordinal)).Value.GetString());
    }

    [Fact]
    public async Task A_failing_upstream_does_not_slow_a_healthy_one_and_its_excess_calls_are_throttled()
    {
        using var slow = WireMockServer.Start();
        using var healthy = WireMockServer.Start();
        // The slow upstream never answers within the test: only the (fake) attempt timeout can end its calls.
        slow.Given(Request.Create().WithPath("/call/*").UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromMinutes(5)));
        healthy.Given(Request.Create().UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody("fine"));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await StartOnFakeTime(time, Merge(
            Upstream("slow", slow.Url!, ("Resilience:MaxConcurrency", "2"), ("Resilience:QueueLimit", "2"),
                ("Resilience:AttemptTimeout", "00:00:03"), ("Resilience:MaxRetryAttempts", "0")),
            Upstream("healthy", healthy.Url!)));
        await WarmUp(gateway, healthy, "healthy");
        await WarmUp(gateway, slow, "slow");

        // Two calls run and two wait at the slow upstream; the rest are turned away at once.
        var stuck = Enumerable.Range(0, 8).Select(i => gateway.Client.GetAsync($"v1/rest/slow/call/{i}")).ToList();
        await WaitUntil(() => Task.FromResult(stuck.Count(t => t.IsCompleted) >= 4), TimeSpan.FromSeconds(30),
            "the calls beyond the concurrency limit and queue to be rejected");
        foreach (var rejected in stuck.Where(t => t.IsCompleted))
            await Problem(await rejected, 429, "throttled");

        // The healthy upstream answers while every admitted call to the slow one is still held (time has not moved).
        for (var i = 0; i < 5; i++)
        {
            using var response = await gateway.Client.GetAsync("v1/rest/healthy/ping");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("fine", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(4, stuck.Count(t => !t.IsCompleted));

        // Time moves: the running attempts time out, the queued ones start and time out in turn.
        await WaitUntil(() =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return Task.FromResult(stuck.All(t => t.IsCompleted));
        }, TimeSpan.FromSeconds(60), "the slow calls to time out on the fake clock");
        var outcomes = await Task.WhenAll(stuck);
        Assert.Equal(4, outcomes.Count(r => (int)r.StatusCode == 429));
        Assert.Equal(4, outcomes.Count(r => (int)r.StatusCode == 504));
        foreach (var r in outcomes) r.Dispose();
    }

    [Fact]
    public async Task Calls_avoid_a_dead_destination_and_the_listing_shows_it()
    {
        using var alive = WireMockServer.Start();
        alive.Given(Request.Create().UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody("alive"));
        var deadPort = FreePort();
        await using var gateway = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            [$"{Prefix}pair:Destinations:a:Address"] = $"http://127.0.0.1:{deadPort}/",
            [$"{Prefix}pair:Destinations:b:Address"] = alive.Url + "/",
            [$"{Prefix}pair:DestinationCooldown"] = "00:01:00",
            [$"{Prefix}pair:Resilience:BaseDelay"] = "00:00:00.010",
            [$"{Prefix}pair:Resilience:MinimumThroughput"] = "1000",
        });

        for (var i = 0; i < 6; i++)
        {
            using var response = await gateway.Client.GetAsync($"v1/rest/pair/item/{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(6, alive.LogEntries.Count());
        var details = (await Bridge(gateway, "rest", "pair")).GetProperty("details");
        Assert.EndsWith("cooling-down", details.GetProperty("destination:a").GetString());
        Assert.EndsWith("healthy", details.GetProperty("destination:b").GetString());
    }

    [Fact]
    public async Task Bridges_listing_includes_stores_and_upstreams()
    {
        using var upstream = WireMockServer.Start();
        await using var gateway = await GatewayServer.StartAsync(Upstream("billing", upstream.Url!));
        var rest = await Bridge(gateway, "rest", "billing");
        Assert.Equal("closed", rest.GetProperty("circuit").GetString());
        var store = await Bridge(gateway, "local", "local");
        Assert.False(string.IsNullOrEmpty(store.GetProperty("health").GetString()));
    }

    static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
