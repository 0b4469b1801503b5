using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Gateway.Testing.Conformance;

public abstract partial class ObjectStoreConformanceTests
{
    private static readonly string[] TreeKeys =
        ["a.txt", "dir/1.txt", "dir/2.txt", "dir/sub/3.txt", "dirt.txt", "z/last.txt"];

    private async Task PutTreeAsync()
    {
        foreach (var key in TreeKeys) await PutOkAsync(key, Bytes(key));
    }

    [Fact]
    public async Task Listing_returns_keys_in_order_with_sizes_and_etags()
    {
        await PutTreeAsync();
        var page = await Http.GetFromJsonAsync<JsonElement>(ListUrl());
        var objects = page.GetProperty("objects").EnumerateArray().ToList();
        Assert.Equal(TreeKeys, objects.Select(o => o.GetProperty("key").GetString()));
        Assert.All(objects, o => Assert.Equal(Bytes(o.GetProperty("key").GetString()!).Length, o.GetProperty("size").GetInt64()));
        Assert.All(objects, o => Assert.StartsWith("\"", o.GetProperty("etag").GetString()));
        Assert.Equal(JsonValueKind.Null, page.GetProperty("nextPageToken").ValueKind);
    }

    /// <summary>A migration reads each source object with If-Match on its listed ETag: the listing, HEAD and GET must agree.</summary>
    [Fact]
    public async Task A_listed_etag_is_the_one_head_and_get_report_and_conditions_on_it_hold()
    {
        var written = await PutOkAsync("listed", Bytes("listed bytes"));
        var listed = (await Http.GetFromJsonAsync<JsonElement>(ListUrl("?prefix=listed"))).GetProperty("objects").EnumerateArray().Single().GetProperty("etag").GetString()!;
        Assert.Equal(written, listed);

        using var head = new HttpRequestMessage(HttpMethod.Head, ObjectUrl("listed"));
        head.Headers.TryAddWithoutValidation("If-Match", listed);
        using (var response = await Http.SendAsync(head))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(listed, response.Headers.ETag?.ToString());
        }
        using var get = new HttpRequestMessage(HttpMethod.Get, ObjectUrl("listed"));
        get.Headers.TryAddWithoutValidation("If-Match", listed);
        using (var response = await Http.SendAsync(get))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(listed, response.Headers.ETag?.ToString());
            Assert.Equal("listed bytes", await response.Content.ReadAsStringAsync());
        }
        using var unchanged = new HttpRequestMessage(HttpMethod.Get, ObjectUrl("listed"));
        unchanged.Headers.TryAddWithoutValidation("If-None-Match", listed);
        using (var response = await Http.SendAsync(unchanged)) Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    /// <summary>
    /// A listing item states only what the store's listing said: a content type or metadata it carries is the one HEAD
    /// answers, and one the store's listing does not give (S3's ListObjectsV2) is null, never a value of its own.
    /// </summary>
    [Fact]
    public async Task A_listed_items_content_type_and_metadata_are_null_or_what_head_says()
    {
        // A store without user metadata refuses any (501); its items' metadata is then compared with HEAD's none.
        var userMetadata = (await CapabilitiesAsync()).GetProperty("userMetadata").GetBoolean();
        await PutOkAsync("facts/typed.txt", Bytes("typed"), r =>
        {
            r.Content!.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            if (userMetadata) r.Headers.Add("x-meta-owner", "team-a");
        });
        var item = (await Http.GetFromJsonAsync<JsonElement>(ListUrl("?prefix=facts%2F"))).GetProperty("objects").EnumerateArray().Single();
        using var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, ObjectUrl("facts/typed.txt")));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);

        if (item.TryGetProperty("contentType", out var contentType) && contentType.ValueKind != JsonValueKind.Null)
            Assert.Equal(head.Content.Headers.ContentType?.ToString(), contentType.GetString());
        if (item.TryGetProperty("metadata", out var metadata) && metadata.ValueKind != JsonValueKind.Null)
        {
            var headMetadata = head.Headers.Where(h => h.Key.StartsWith("x-meta-", StringComparison.OrdinalIgnoreCase))
                .ToDictionary(h => h.Key["x-meta-".Length..].ToLowerInvariant(), h => h.Value.Single());
            Assert.Equal(headMetadata, metadata.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));
        }
    }

    [Fact]
    public async Task Prefix_filters_keys()
    {
        await PutTreeAsync();
        Assert.Equal(["dir/1.txt", "dir/2.txt", "dir/sub/3.txt", "dirt.txt"], await ListAllKeysAsync("?prefix=dir"));
        Assert.Equal(["dir/1.txt", "dir/2.txt", "dir/sub/3.txt"], await ListAllKeysAsync("?prefix=dir%2F"));
        Assert.Empty(await ListAllKeysAsync("?prefix=nothing"));
    }

    /// <summary>
    /// A prefix whose last segment is "." or ".." begins keys such as ".hidden" and "..b": it lists them (until session 42
    /// it was refused as a dot segment); a dot segment before the last stays refused, as in a key.
    /// </summary>
    [Fact]
    public async Task A_prefix_ending_in_a_dot_segment_lists_the_keys_it_begins()
    {
        foreach (var key in new[] { "d/.hidden", "d/..b", "d/x", ".top" }) await PutOkAsync(key, Bytes(key));
        Assert.Equal(["d/..b", "d/.hidden"], await ListAllKeysAsync("?prefix=d%2F."));
        Assert.Equal(["d/..b"], await ListAllKeysAsync("?prefix=d%2F.."));
        Assert.Equal([".top"], await ListAllKeysAsync("?prefix=."));
        using var refused = await Http.GetAsync(ListUrl("?prefix=d%2F..%2F"));
        await AssertProblemAsync(refused, HttpStatusCode.BadRequest, "bad-request");
    }

    [Fact]
    public async Task Delimiter_rolls_up_common_prefixes()
    {
        await PutTreeAsync();
        var root = await Http.GetFromJsonAsync<JsonElement>(ListUrl("?delimiter=%2F"));
        Assert.Equal(["a.txt", "dirt.txt"], root.GetProperty("objects").EnumerateArray().Select(o => o.GetProperty("key").GetString()));
        Assert.Equal(["dir/", "z/"], root.GetProperty("commonPrefixes").EnumerateArray().Select(p => p.GetString()));

        var dir = await Http.GetFromJsonAsync<JsonElement>(ListUrl("?prefix=dir%2F&delimiter=%2F"));
        Assert.Equal(["dir/1.txt", "dir/2.txt"], dir.GetProperty("objects").EnumerateArray().Select(o => o.GetProperty("key").GetString()));
        Assert.Equal(["dir/sub/"], dir.GetProperty("commonPrefixes").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task A_long_delimiter_rolls_up_as_a_short_one_does_and_one_longer_than_a_key_is_400()
    {
        var delimiter = "/" + new string('d', 200) + "/";
        await PutOkAsync("x" + delimiter + "1", Bytes("1"));
        await PutOkAsync("x" + delimiter + "2", Bytes("2"));
        await PutOkAsync("y", Bytes("3"));
        var page = await Http.GetFromJsonAsync<JsonElement>(ListUrl("?delimiter=" + Uri.EscapeDataString(delimiter)));
        Assert.Equal(["y"], page.GetProperty("objects").EnumerateArray().Select(o => o.GetProperty("key").GetString()));
        Assert.Equal(["x" + delimiter], page.GetProperty("commonPrefixes").EnumerateArray().Select(p => p.GetString()));

        var atTheLimit = await Http.GetAsync(ListUrl("?delimiter=" + Uri.EscapeDataString(new string('\u00e9', 512)))); // 1,024 bytes
        Assert.Equal(HttpStatusCode.OK, atTheLimit.StatusCode);
        var query = "?delimiter=" + new string('d', 1025);
        await AssertRawProblemAsync(await RawHttp.SendAsync(Server, "GET", "/" + ListUrl(query)), 400, "delimiter");
    }

    [Fact]
    public async Task Paging_visits_every_key_exactly_once()
    {
        await PutTreeAsync();
        Assert.Equal(TreeKeys, await ListAllKeysAsync("?pageSize=2"));
        var first = await Http.GetFromJsonAsync<JsonElement>(ListUrl("?pageSize=2"));
        Assert.Equal(2, first.GetProperty("objects").GetArrayLength());
        Assert.NotNull(first.GetProperty("nextPageToken").GetString());
    }

    [Fact]
    public async Task Paging_with_a_delimiter_visits_every_entry_once()
    {
        await PutTreeAsync();
        var entries = new List<string>();
        string? token = null;
        do
        {
            var page = await Http.GetFromJsonAsync<JsonElement>(ListUrl("?delimiter=%2F&pageSize=1" + (token is null ? "" : "&pageToken=" + Uri.EscapeDataString(token))));
            entries.AddRange(page.GetProperty("objects").EnumerateArray().Select(o => o.GetProperty("key").GetString()!));
            entries.AddRange(page.GetProperty("commonPrefixes").EnumerateArray().Select(p => p.GetString()!));
            token = page.GetProperty("nextPageToken").GetString();
        } while (token is not null);
        Assert.Equal(["a.txt", "dir/", "dirt.txt", "z/"], entries.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("?pageSize=0")]
    [InlineData("?pageSize=1001")]
    [InlineData("?pageSize=ten")]
    [InlineData("?pageToken=%25%25not-a-token%25%25")]
    public async Task Bad_listing_parameters_are_400(string query)
    {
        await PutTreeAsync();
        using var response = await Http.GetAsync(ListUrl(query));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "bad-request");
    }
}
