using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>
/// Hand probes of the migration and audit endpoints turned into tables: ambiguous JSON bodies (a member given twice),
/// query parameters given twice, and names that are wrong on one side of a migration. Each is a 400 problem+json whose
/// detail says what is wrong, and nothing is created.
/// </summary>
public sealed class MigrationAndAuditProbeTests : IAsyncLifetime
{
    private const string Source = "\"source\":{\"store\":\"local\",\"bucket\":\"probe-src\"}";
    private const string Target = "\"target\":{\"store\":\"local\",\"bucket\":\"probe-dst\"}";
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartAsync();
        foreach (var bucket in new[] { "probe-src", "probe-dst" })
            (await _server.Client.PutAsync($"v1/stores/local/buckets/{bucket}", null)).EnsureSuccessStatusCode();
        (await _server.Client.PutAsync("v1/stores/local/buckets/probe-src/objects/a.txt", new StringContent("a"))).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, string, string> AmbiguousBodies => new()
    {
        // A dry run given twice used to be last-wins: a real copy started.
        { "v1/migrations", "{" + Source + "," + Target + ",\"dryRun\":true,\"dryRun\":false}", "'$.dryRun' more than once" },
        // Members match case-insensitively, so a second spelling is the same member twice.
        { "v1/migrations", "{" + Source + "," + Target + ",\"dryRun\":true,\"DRYRUN\":false}", "more than once" },
        { "v1/migrations", "{" + Source + "," + Target + ",\"dryRun\":true,\"mode\":\"copy\",\"mode\":\"move\"}", "more than once" },
        { "v1/migrations", "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-src\",\"prefix\":\"a\",\"prefix\":\"\"}," + Target + ",\"dryRun\":true}", "'$.source.prefix' more than once" },
        { "v1/migrations", "{" + Source + "," + Source + "," + Target + ",\"dryRun\":true}", "more than once" },
        { "v1/stores/local/copy", "{\"source\":{\"bucket\":\"probe-src\",\"key\":\"a.txt\"},\"target\":{\"bucket\":\"probe-dst\",\"key\":\"b.txt\",\"key\":\"c.txt\"}}", "more than once" },
        { "v1/stores/local/copy", "{\"source\":{\"bucket\":\"probe-src\",\"key\":\"a.txt\"},\"target\":{\"bucket\":\"probe-dst\",\"key\":\"b.txt\"},\"targetIfNoneMatch\":\"*\",\"targetIfNoneMatch\":null}", "more than once" },
        // A map key given twice (metadata names) is the same ambiguity.
        { "v1/stores/local/copy", "{\"source\":{\"bucket\":\"probe-src\",\"key\":\"a.txt\"},\"target\":{\"bucket\":\"probe-dst\",\"key\":\"b.txt\"},\"metadataDirective\":\"replace\",\"metadata\":{\"owner\":\"a\",\"owner\":\"b\"}}", "'$.metadata.owner' more than once" },
    };

    [Theory]
    [MemberData(nameof(AmbiguousBodies))]
    public async Task A_json_member_given_twice_is_refused_and_starts_or_copies_nothing(string path, string body, string detail)
    {
        var before = await StateAsync();
        using var answer = await _server.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        await ExpectProblemAsync(answer, detail);
        Assert.Equal(before, await StateAsync());
    }

    public static TheoryData<string, string> BadSides => new()
    {
        { "{\"source\":{\"store\":\"local\",\"bucket\":\"Bad_Bucket\"}," + Target + "}", "source.bucket: " },
        { "{" + Source + ",\"target\":{\"store\":\"Local\",\"bucket\":\"probe-dst\"}}", "target.store: " },
        { "{" + Source + ",\"target\":{\"store\":\"local\",\"bucket\":\"probe-dst\",\"prefix\":\"a/../b\"}}", "target.prefix: " },
        { "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-src\",\"prefix\":\"a\\u0001\"}," + Target + "}", "source.prefix: " },
        { "{\"source\":{\"store\":\"local\",\"bucket\":\"probe-src\",\"prefix\":\"" + new string('p', 1100) + "\"}," + Target + "}", "source.prefix: " },
    };

    [Theory]
    [MemberData(nameof(BadSides))]
    public async Task A_bad_name_on_one_side_of_a_migration_names_that_side(string body, string detail)
    {
        var before = await StateAsync();
        using var answer = await _server.Client.PostAsync("v1/migrations", new StringContent(body, Encoding.UTF8, "application/json"));
        await ExpectProblemAsync(answer, detail);
        Assert.Equal(before, await StateAsync());
    }

    [Theory]
    [InlineData("v1/audit?limit=1&limit=2", "'limit' is given 2 times")]
    [InlineData("v1/audit?after=0&after=1&after=2", "'after' is given 3 times")]
    [InlineData("v1/audit/consistency?from=1&from=1&to=1", "'from' is given 2 times")]
    [InlineData("v1/migrations?pageSize=1&pageSize=1", "'pageSize' is given 2 times")]
    [InlineData("v1/audit?limit=abc", "'limit' is not valid: a whole number is expected")]
    public async Task A_query_parameter_given_twice_says_so(string target, string detail)
    {
        using var answer = await _server.Client.GetAsync(target);
        await ExpectProblemAsync(answer, detail);
    }

    private static async Task ExpectProblemAsync(HttpResponseMessage answer, string detail)
    {
        var text = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{(int)answer.StatusCode}: {text}");
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.Equal("https://gateway.dev/problems/bad-request", problem.RootElement.GetProperty("type").GetString());
        Assert.Contains(detail, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The migrations that exist and what the target bucket holds.</summary>
    private async Task<string> StateAsync()
    {
        var jobs = await _server.Client.GetFromJsonAsync<JsonElement>("v1/migrations");
        var objects = await _server.Client.GetStringAsync("v1/stores/local/buckets/probe-dst/objects");
        return jobs.GetProperty("migrations").GetArrayLength() + " jobs; " + objects;
    }
}
