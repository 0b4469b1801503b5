using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static Gateway.Bridges.Rest.Tests.RestTestKit;

namespace Gateway.Bridges.Rest.Tests;

/// <summary>
/// Paths up to the gateway's request-target limit (8 KiB) are forwarded whole, and promptly; longer ones are a 414 problem.
/// (Until 2026-12-05 a path whose witness target passed 4096 bytes made the bridge host fail to write the witness: the caller
/// got no answer, only a reset connection or a wait for the witness.)
/// </summary>
public sealed class LongPathTests : IAsyncLifetime
{
    static readonly TimeSpan Prompt = TimeSpan.FromSeconds(20);
    readonly WireMockServer _upstream = WireMockServer.Start();
    GatewayServer _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200).WithBody("reached"));
        _gateway = await GatewayServer.StartAsync(Upstream("legacy", _upstream.Url + "/base"));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _upstream.Stop();
    }

    public static TheoryData<string> LongPaths => new()
    {
        new string('a', 5000),                                   // one segment of 5000 characters
        string.Join('/', Enumerable.Repeat("x", 3000)),          // about 6000 characters of x/x/x/...
        string.Join('/', Enumerable.Repeat("x", 4000)),          // 7999 characters: the target is just under 8 KiB
    };

    [Theory]
    [MemberData(nameof(LongPaths))]
    public async Task A_long_path_under_the_target_limit_is_forwarded_whole_and_witnessed(string path)
    {
        using var deadline = new CancellationTokenSource(Prompt);
        var clock = Stopwatch.StartNew();
        var answer = await RawHttp.SendAsync(_gateway, "GET", "/v1/rest/legacy/" + path, ct: deadline.Token);

        Assert.True(answer.Status == 200, $"{answer.Status} after {clock.ElapsedMilliseconds} ms: {answer.Payload}");
        Assert.Equal("reached", answer.Payload);
        var seen = Assert.Single(_upstream.Requests());
        Assert.Equal("/base/" + path, seen.Path);

        // The witness names the call: its target is cut to fit the witness's 4096-byte field and ends with the
        // SHA-256 of the whole target, so the audit still tells one long path from another.
        var requestId = answer.Head.Split("\r\n").Single(l => l.StartsWith("X-Request-Id:", StringComparison.OrdinalIgnoreCase))[13..].Trim();
        var list = await _gateway.Client.GetFromJsonAsync<JsonElement>($"v1/witnesses/{requestId}");
        var target = Assert.Single(list.GetProperty("witnesses").EnumerateArray()).GetProperty("target").GetString()!;
        var whole = "legacy/GET /" + path;
        Assert.True(Encoding.UTF8.GetByteCount(target) <= 4096, $"the witness target is {Encoding.UTF8.GetByteCount(target)} bytes");
        Assert.StartsWith("legacy/GET /" + path[..1000], target);
        Assert.EndsWith("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(whole))) + "]", target);
    }

    [Fact]
    public async Task A_path_over_the_target_limit_is_a_414_problem_and_calls_nothing()
    {
        using var deadline = new CancellationTokenSource(Prompt);
        var answer = await RawHttp.SendAsync(_gateway, "GET", "/v1/rest/legacy/" + string.Join('/', Enumerable.Repeat("x", 4100)), ct: deadline.Token);

        Assert.True(answer.Status == 414, $"{answer.Status}: {answer.Payload}");
        Assert.Equal("application/problem+json", answer.ContentType.Split(';')[0].Trim());
        Assert.Contains("https://gateway.dev/problems/uri-too-long", answer.Payload, StringComparison.Ordinal);
        Assert.Empty(_upstream.LogEntries);
    }
}
