using System.Net;
using System.Text.Json;
using Gateway.Testing;
using Gateway.Testing.OpenApi;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>
/// The charset parameter of a JSON body's Content-Type: a quoted one is the same parameter (RFC 9110 §5.6.6) and is read;
/// one that names no encoding is a 415 problem that copies or starts nothing (the binder threw on both: a 500).
/// </summary>
public sealed class JsonCharsetProbeTests : IAsyncLifetime
{
    private const string Copy = "/v1/stores/local/copy";
    private GatewayServer _server = null!;
    private readonly OpenApiContract _contract = OpenApiContract.Load();

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartAsync();
        (await _server.Client.PutAsync("v1/stores/local/buckets/charset", null)).EnsureSuccessStatusCode();
        (await _server.Client.PutAsync("v1/stores/local/buckets/charset/objects/a.txt", new StringContent("hello"))).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string CopyBody(string target) =>
        $"{{\"source\":{{\"bucket\":\"charset\",\"key\":\"a.txt\"}},\"target\":{{\"bucket\":\"charset\",\"key\":\"{target}\"}}}}";

    [Theory]
    [InlineData("charset=foo", "'foo'")]
    [InlineData("charset=", "''")]
    [InlineData("charset=\"\"", "''")]
    [InlineData("charset=utf-7", "'utf-7'")]
    [InlineData("charset='utf-8'", "'(not shown)'")]
    // Which one would count? (was: the first taken; session-42 probe)
    [InlineData("charset=utf-8; charset=utf-16", "given more than once")]
    [InlineData("charset=utf-8; CHARSET=utf-8", "given more than once")]
    public async Task A_charset_that_names_no_encoding_is_a_415_problem_and_copies_or_starts_nothing(string parameter, string shown)
    {
        var headers = new[] { "Content-Type: application/json; " + parameter };
        var copy = await RawHttp.SendAsync(_server, "POST", Copy, CopyBody("copied.txt"), headers);
        ExpectCharsetProblem(copy, "/v1/stores/{store}/copy", shown);
        var migration = await RawHttp.SendAsync(_server, "POST", "/v1/migrations",
            "{\"source\":{\"store\":\"local\",\"bucket\":\"charset\"},\"target\":{\"store\":\"local\",\"bucket\":\"charset\",\"prefix\":\"out/\"},\"dryRun\":true}", headers);
        ExpectCharsetProblem(migration, "/v1/migrations", shown);
        var listing = await _server.Client.GetStringAsync("v1/stores/local/buckets/charset/objects");
        Assert.DoesNotContain("copied.txt", listing, StringComparison.Ordinal);
        using var jobs = JsonDocument.Parse(await _server.Client.GetStringAsync("v1/migrations"));
        Assert.Empty(jobs.RootElement.GetProperty("migrations").EnumerateArray());
    }

    [Theory]
    [InlineData("charset=\"utf-8\"")]
    [InlineData("charset=\"UTF-8\"")]
    [InlineData("charset=utf-8")]
    [InlineData("charset=\"iso_8859-1:1987\"")] // an alias .NET knows, with a ':' a bare value may not hold (was a 500)
    public async Task A_quoted_charset_naming_a_known_encoding_is_read(string parameter)
    {
        var target = "quoted-" + Math.Abs(parameter.GetHashCode(StringComparison.Ordinal)) + ".txt";
        var copy = await RawHttp.SendAsync(_server, "POST", Copy, CopyBody(target), ["Content-Type: application/json; " + parameter]);
        Assert.True(copy.Status == 200, $"{parameter}: {copy.Status} {copy.Payload}");
        Assert.Null(_contract.Check("POST", "/v1/stores/{store}/copy", copy));
        using var copied = await _server.Client.GetAsync($"v1/stores/local/buckets/charset/objects/{target}");
        Assert.Equal(HttpStatusCode.OK, copied.StatusCode);
        Assert.Equal("hello", await copied.Content.ReadAsStringAsync());
    }

    private void ExpectCharsetProblem(RawHttp.Response answer, string template, string shown)
    {
        Assert.True(answer.Status == 415, $"{answer.Status} {answer.Payload}");
        Assert.StartsWith("application/problem+json", answer.ContentType, StringComparison.Ordinal);
        Assert.Null(_contract.Check("POST", template, answer));
        using var problem = JsonDocument.Parse(answer.Payload);
        Assert.Equal("https://gateway.dev/problems/unsupported-media-type", problem.RootElement.GetProperty("type").GetString());
        var detail = problem.RootElement.GetProperty("detail").GetString()!;
        Assert.Contains($"charset {shown}", detail, StringComparison.Ordinal);
    }
}
