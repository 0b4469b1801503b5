using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Testing;
using WireMock;
using WireMock.Server;

namespace Gateway.Bridges.Rest.Tests;

/// <summary>Settings and waits shared by the REST bridge tests. Upstreams are WireMock.Net servers on loopback.</summary>
static class RestTestKit
{
    public const string Prefix = "Gateway:Rest:Upstreams:";

    /// <summary>An upstream with quick, test-sized resilience settings; <paramref name="extra"/> keys are relative to the upstream.</summary>
    public static Dictionary<string, string?> Upstream(string name, string baseUrl, params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"{Prefix}{name}:BaseUrl"] = baseUrl,
            [$"{Prefix}{name}:Resilience:BaseDelay"] = "00:00:00.010",
            [$"{Prefix}{name}:Resilience:MaxDelay"] = "00:00:02",
            // Generous: the first call into a fresh test process pays for JIT on a busy 2-core machine.
            [$"{Prefix}{name}:Resilience:AttemptTimeout"] = "00:00:10",
            [$"{Prefix}{name}:Resilience:TotalTimeout"] = "00:00:30",
            [$"{Prefix}{name}:Resilience:MaxRetryAttempts"] = "2",
            // The circuit stays out of the way unless a test is about it.
            [$"{Prefix}{name}:Resilience:MinimumThroughput"] = "1000",
        };
        foreach (var (key, value) in extra) settings[$"{Prefix}{name}:{key}"] = value;
        return settings;
    }

    /// <summary>One call through the gateway first, so timing assertions measure the gateway, not the JIT.</summary>
    public static async Task WarmUp(GatewayServer gateway, WireMockServer upstream, string upstreamName)
    {
        upstream.Given(WireMock.RequestBuilders.Request.Create().WithPath("/warm-up").UsingGet())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200));
        using var response = await gateway.Client.GetAsync($"v1/rest/{upstreamName}/warm-up");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    public static Dictionary<string, string?> Merge(params Dictionary<string, string?>[] parts)
    {
        var all = new Dictionary<string, string?>();
        foreach (var part in parts) foreach (var (k, v) in part) all[k] = v;
        return all;
    }

    public static IReadOnlyList<IRequestMessage> Requests(this WireMockServer server, string? path = null) =>
        server.LogEntries.Select(e => e.RequestMessage!).Where(r => path is null || r.Path == path).ToList();

    /// <summary>Waits until <paramref name="condition"/> holds, failing with <paramref name="what"/> after the deadline.</summary>
    public static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan deadline, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > deadline) Assert.Fail($"Timed out after {deadline.TotalSeconds:0.#} s waiting for {what}");
            await Task.Delay(50); // polling interval of the wait, not a stand-in for synchronisation
        }
    }

    public static async Task<JsonElement> Problem(HttpResponseMessage response, int status, string slug)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"https://gateway.dev/problems/{slug}", problem.GetProperty("type").GetString());
        return problem;
    }

    public static async Task<JsonElement> Bridge(GatewayServer gateway, string kind, string name)
    {
        var list = await gateway.Client.GetFromJsonAsync<JsonElement>("v1/bridges");
        foreach (var b in list.GetProperty("bridges").EnumerateArray())
            if (b.GetProperty("kind").GetString() == kind && b.GetProperty("name").GetString() == name) return b;
        Assert.Fail($"GET /v1/bridges does not list {kind}/{name}: {list}");
        return default;
    }
}
