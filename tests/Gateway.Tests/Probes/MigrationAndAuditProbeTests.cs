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

    /// <summary>
    /// A member given twice, or of the wrong JSON type, is refused and starts or copies nothing; the detail says which
    /// member, and for a wrong type what the member takes.
    /// </summary>
    [Theory]
    [MemberData(nameof(AmbiguousBodies))]
    [MemberData(nameof(MistypedMembers))]
    public async Task A_json_member_given_twice_or_of_the_wrong_type_is_refused_and_starts_or_copies_nothing(string path, string body, string detail)
    {
        var before = await StateAsync();
        using var answer = await _server.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        await ExpectProblemAsync(answer, detail);
        Assert.Equal(before, await StateAsync());
    }

    public static TheoryData<string, string, string> MistypedMembers => new()
    {
        // A null dry run was "malformed or has the wrong shape at '$.dryRun'": refused (it never reads as false and
        // starts a real move), but without saying what the member takes.
        { "v1/migrations", "{" + Source + "," + Target + ",\"dryRun\":null}", "The JSON body's member '$.dryRun' must be true or false." },
        { "v1/migrations", "{" + Source + "," + Target + ",\"dryRun\":\"yes\"}", "The JSON body's member '$.dryRun' must be true or false." },
        { "v1/migrations", "{" + Source + "," + Target + ",\"dryRun\":true,\"bandwidthLimit\":\"fast\"}", "The JSON body's member '$.bandwidthLimit' must be a whole number." },
        { "v1/migrations", "{" + Source + "," + Target + ",\"dryRun\":true,\"concurrency\":1.5}", "The JSON body's member '$.concurrency' must be a whole number." },
        { "v1/migrations", "{" + Source + "," + Target + ",\"dryRun\":true,\"bandwidthLimit\":1e400}", "The JSON body's member '$.bandwidthLimit' must be a whole number." },
        // Fractions a decimal would round away (the session-47 review): 1e-400 as 0 would mean "no limit".
        { "v1/migrations", "{" + Source + "," + Target + ",\"dryRun\":true,\"bandwidthLimit\":1e-400}", "The JSON body's member '$.bandwidthLimit' must be a whole number." },
        { "v1/migrations", "{" + Source + "," + Target + ",\"dryRun\":true,\"concurrency\":1.00000000000000000000000000001}", "The JSON body's member '$.concurrency' must be a whole number." },
        { "v1/migrations", "{" + Source + "," + Target + ",\"dryRun\":true,\"concurrency\":4294967296.0}", "The JSON body's member '$.concurrency' must be a whole number." },
        { "v1/migrations", "{" + Source + "," + Target + ",\"dryRun\":true,\"mode\":5}", "The JSON body's member '$.mode' must be a string." },
        // A member of a positional record is reported by System.Text.Json as the record's: the general wording stays.
        { "v1/migrations", "{\"source\":{\"store\":\"local\",\"bucket\":7}," + Target + ",\"dryRun\":true}", "The JSON body is malformed or has the wrong shape at '$.source.bucket'." },
    };

    public static TheoryData<string, string> BadSides => new()
    {
        { "{\"source\":{\"store\":\"local\",\"bucket\":\"Bad_Bucket\"}," + Target + "}", "source.bucket: " },
        { "{" + Source + ",\"target\":{\"store\":\"Local\",\"bucket\":\"probe-dst\"}}", "target.store: " },
        // A negative limit was told "0 or a positive number", and then 100 was refused as under 1024.
        { "{" + Source + "," + Target + ",\"bandwidthLimit\":-1}", "bandwidthLimit is 0 (no limit) or at least 1024" },
        { "{" + Source + "," + Target + ",\"bandwidthLimit\":100}", "bandwidthLimit is 0 (no limit) or at least 1024" },
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

    public static TheoryData<string, string> BadCopySides => new()
    {
        { "{\"source\":{\"bucket\":\"probe-src\",\"key\":\"a/../b\"},\"target\":{\"bucket\":\"probe-dst\",\"key\":\"b.txt\"}}", "source.key: " },
        { "{\"source\":{\"bucket\":\"Bad_Bucket\",\"key\":\"a.txt\"},\"target\":{\"bucket\":\"probe-dst\",\"key\":\"b.txt\"}}", "source.bucket: " },
        { "{\"source\":{\"bucket\":\"probe-src\",\"key\":\"a.txt\"},\"target\":{\"bucket\":\"probe-dst\",\"key\":\"\"}}", "target.key: " },
        { "{\"source\":{\"bucket\":\"probe-src\",\"key\":\"a.txt\"},\"target\":{\"bucket\":\"1.2.3.4\",\"key\":\"b.txt\"}}", "target.bucket: " },
        // Without "replace" these were dropped without a word: the copy went ahead with the source's metadata.
        { "{\"source\":{\"bucket\":\"probe-src\",\"key\":\"a.txt\"},\"target\":{\"bucket\":\"probe-dst\",\"key\":\"b.txt\"},\"metadata\":{\"owner\":\"a\"}}", "only with \"metadataDirective\":\"replace\"" },
        { "{\"source\":{\"bucket\":\"probe-src\",\"key\":\"a.txt\"},\"target\":{\"bucket\":\"probe-dst\",\"key\":\"b.txt\"},\"metadataDirective\":\"copy\",\"contentType\":\"text/csv\"}", "only with \"metadataDirective\":\"replace\"" },
        { "{\"source\":{\"bucket\":\"probe-src\",\"key\":\"a.txt\"},\"target\":{\"bucket\":\"probe-dst\",\"key\":\"b.txt\"},\"contentHeaders\":{\"cacheControl\":\"no-cache\"}}", "only with \"metadataDirective\":\"replace\"" },
        // A misspelt header inside contentHeaders was dropped without a word: the copy went ahead without it.
        { "{\"source\":{\"bucket\":\"probe-src\",\"key\":\"a.txt\"},\"target\":{\"bucket\":\"probe-dst\",\"key\":\"b.txt\"},\"metadataDirective\":\"replace\",\"contentHeaders\":{\"cacheControll\":\"no-cache\"}}", "'$.contentHeaders.cacheControll'" },
        // A body without source or target said only that it was "malformed or has the wrong shape".
        { "{\"target\":{\"bucket\":\"probe-dst\",\"key\":\"b.txt\"}}", "'source'" },
        { "{\"source\":{\"bucket\":\"probe-src\",\"key\":\"a.txt\"}}", "'target'" },
        { "{}", "'source', 'target'" },
    };

    /// <summary>
    /// A copy names two keys and two buckets: the detail says which one broke the rules (it said only "The object key ...").
    /// A type, metadata or headers given without "replace" are refused, not dropped.
    /// </summary>
    [Theory]
    [MemberData(nameof(BadCopySides))]
    public async Task A_bad_name_on_one_side_of_a_copy_names_that_side(string body, string detail)
    {
        var before = await StateAsync();
        using var answer = await _server.Client.PostAsync("v1/stores/local/copy", new StringContent(body, Encoding.UTF8, "application/json"));
        await ExpectProblemAsync(answer, detail);
        Assert.Equal(before, await StateAsync());
    }

    [Theory]
    [InlineData("v1/stores/local/buckets/probe-src/objects?prefix=a/../b", "prefix: ")]
    [InlineData("v1/stores/local/buckets/probe-src/objects?prefix=%2Flead", "prefix: ")]
    public async Task A_listing_prefix_that_breaks_the_key_rules_is_named_as_the_prefix(string target, string detail)
    {
        using var answer = await _server.Client.GetAsync(target);
        await ExpectProblemAsync(answer, detail);
    }

    /// <summary>An items page token is a key of the report, base64url: made-up bytes (not UTF-8, NUL, far too long) were taken as a cursor.</summary>
    [Theory]
    [InlineData("/w==")]
    [InlineData("_w")]
    [InlineData("AAAA")]
    [InlineData("!!!")]
    public async Task A_made_up_items_page_token_is_refused(string token)
    {
        (await _server.Client.PutAsync("v1/stores/local/buckets/probe-src/objects/b.txt", new StringContent("b"))).EnsureSuccessStatusCode();
        using var created = await _server.Client.PostAsync("v1/migrations", new StringContent("{" + Source + "," + Target + ",\"dryRun\":true}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await new Gateway.Testing.Migrations.MigrationClient(_server).WaitForEndAsync(id!);
        using var answer = await _server.Client.GetAsync($"v1/migrations/{id}/items?pageToken={token}");
        await ExpectProblemAsync(answer, "pageToken is not one this gateway gave out");
        using var tooLong = await _server.Client.GetAsync($"v1/migrations/{id}/items?pageToken={new string('Q', 6000)}");
        await ExpectProblemAsync(tooLong, "pageToken is not one this gateway gave out");
        // A token the gateway gave out still works.
        var first = await _server.Client.GetFromJsonAsync<JsonElement>($"v1/migrations/{id}/items?pageSize=1");
        var next = first.GetProperty("nextPageToken").GetString();
        var second = await _server.Client.GetFromJsonAsync<JsonElement>($"v1/migrations/{id}/items?pageSize=1&pageToken={next}");
        Assert.Equal("b.txt", second.GetProperty("items")[0].GetProperty("key").GetString());
    }

    [Theory]
    [InlineData("v1/audit?limit=1&limit=2", "'limit' is given 2 times")]
    [InlineData("v1/audit?after=0&after=1&after=2", "'after' is given 3 times")]
    [InlineData("v1/audit/consistency?from=1&from=1&to=1", "'from' is given 2 times")]
    [InlineData("v1/migrations?pageSize=1&pageSize=1", "'pageSize' is given 2 times")]
    [InlineData("v1/audit?limit=abc", "'limit' is not valid: a whole number is expected")]
    // A whole number past the type's range was said to be "not a whole number".
    [InlineData("v1/audit?limit=99999999999", "'limit' is out of range")]
    [InlineData("v1/migrations?pageSize=-99999999999", "'pageSize' is out of range")]
    // A string given twice was joined with a comma: this listed the prefix "a/,b/".
    [InlineData("v1/stores/local/buckets/probe-src/objects?prefix=a/&prefix=b/", "'prefix' is given 2 times")]
    [InlineData("v1/stores/local/buckets/probe-src/objects?delimiter=/&pageSize=5&delimiter=-", "'delimiter' is given 2 times")]
    [InlineData("v1/migrations/mig_x/items?state=failed&state=done", "'state' is given 2 times")]
    public async Task A_query_parameter_given_twice_says_so(string target, string detail)
    {
        using var answer = await _server.Client.GetAsync(target);
        await ExpectProblemAsync(answer, detail);
    }

    [Fact]
    public async Task The_witnesses_of_a_request_that_holds_many_come_a_bounded_page_at_a_time()
    {
        // A migration run is one request: every listing, read and write of the job carries its id.
        for (var i = 0; i < 4; i++)
            (await _server.Client.PutAsync($"v1/stores/local/buckets/probe-src/objects/m{i}.txt", new StringContent("m" + i))).EnsureSuccessStatusCode();
        using var created = await _server.Client.PostAsync("v1/migrations", new StringContent("{" + Source + "," + Target + "}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using (var events = await _server.Client.GetAsync($"v1/migrations/{id}/events"))
            Assert.Contains("\"state\":\"completed\"", await events.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var audit = await _server.Client.GetFromJsonAsync<JsonElement>("v1/audit?limit=1000");
        // The job's run: the request with the most witnesses (its listings and a copy per object).
        var requestId = audit.GetProperty("entries").EnumerateArray().GroupBy(e => e.GetProperty("requestId").GetString())
            .MaxBy(g => g.Count())!.Key;
        var whole = (await _server.Client.GetFromJsonAsync<JsonElement>($"v1/witnesses/{requestId}")).GetProperty("witnesses")
            .EnumerateArray().Select(w => w.GetProperty("sequence").GetInt64()).ToList();
        Assert.True(whole.Count >= 7, $"{whole.Count} witnesses");
        foreach (var (path, member) in new[] { ("", "witnesses"), ("/proof", "proofs") })
        {
            var paged = new List<long>();
            long? after = 0;
            for (var pages = 0; after is not null; pages++)
            {
                Assert.True(pages <= whole.Count, "paging does not end");
                var page = await _server.Client.GetFromJsonAsync<JsonElement>($"v1/witnesses/{requestId}{path}?limit=3&after={after}");
                var items = page.GetProperty(member).EnumerateArray().ToList();
                Assert.InRange(items.Count, 1, 3);
                paged.AddRange(items.Select(w => (member == "proofs" ? w.GetProperty("witness") : w).GetProperty("sequence").GetInt64()));
                after = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetInt64();
            }
            Assert.Equal(whole, paged);
            var past = await _server.Client.GetFromJsonAsync<JsonElement>($"v1/witnesses/{requestId}{path}?after={whole[^1]}");
            Assert.Equal(0, past.GetProperty(member).GetArrayLength());
            using var unknown = await _server.Client.GetAsync($"v1/witnesses/no-such-request{path}?after=5");
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        }
        foreach (var (target, detail) in new[]
                 {
                     ($"v1/witnesses/{requestId}?limit=0", "'limit' must be between 1 and 1000"),
                     ($"v1/witnesses/{requestId}?limit=1001", "'limit' must be between 1 and 1000"),
                     ($"v1/witnesses/{requestId}/proof?limit=101", "'limit' must be between 1 and 100"),
                     ($"v1/witnesses/{requestId}?after=-1", "'after' must be zero or a sequence number"),
                     ($"v1/witnesses/{requestId}/proof?after=9223372036854775808", "'after' is out of range"),
                 })
        {
            using var answer = await _server.Client.GetAsync(target);
            await ExpectProblemAsync(answer, detail);
        }
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
