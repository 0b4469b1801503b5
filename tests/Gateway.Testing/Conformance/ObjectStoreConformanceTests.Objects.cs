using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Channel.Families;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Gateway.Testing.Conformance;

public abstract partial class ObjectStoreConformanceTests
{
    /// <summary>The store bridge itself, in the process that runs it (this gateway, or a remote bridge host).</summary>
    protected virtual IObjectStore StoreBridge => Server.Services.GetRequiredService<BridgeRegistry<IObjectStore>>().FindBridge(Store)!;

    [Fact]
    public async Task Store_is_listed_with_kind_and_capabilities()
    {
        var stores = await Http.GetFromJsonAsync<JsonElement>("v1/stores");
        var me = stores.GetProperty("stores").EnumerateArray().Single(s => s.GetProperty("name").GetString() == Store);
        Assert.Equal(StoreSettings["Kind"], me.GetProperty("kind").GetString());
        // The listing reports the store's own capability record, every field of it, not merely that one exists.
        var store = StoreBridge;
        var expected = JsonSerializer.SerializeToNode(store.Capabilities, new JsonSerializerOptions(JsonSerializerDefaults.Web))!.AsObject();
        var served = JsonNode.Parse(me.GetProperty("capabilities").GetRawText())!.AsObject();
        foreach (var (name, value) in expected)
            Assert.True(JsonNode.DeepEquals(value, served[name]), $"capability {name}: served {served[name]?.ToJsonString() ?? "nothing"}, the store says {value?.ToJsonString() ?? "null"}");
        foreach (var (name, _) in served) Assert.True(expected.ContainsKey(name), $"the listing reports a capability {name} the store does not have");
        // Every store reports MD5 (Md5_hash_is_reported_and_matches_the_body checks the header it gives).
        Assert.Contains("md5", store.Capabilities.Hashes);
    }

    [SkippableFact]
    public async Task Put_then_get_round_trips_body_type_metadata_and_validators()
    {
        await RequireAsync("userMetadata");
        var body = Bytes("hello, conformance");
        var before = DateTimeOffset.UtcNow;
        var etag = await PutOkAsync("greeting.txt", body, r =>
        {
            r.Content!.Headers.ContentType = new("text/plain");
            r.Headers.Add("x-meta-Owner", "team-a");
            r.Headers.Add("x-meta-purpose", "conformance test");
        });
        using var get = await Http.GetAsync(ObjectUrl("greeting.txt"));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(body, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, get.Headers.ETag!.ToString());
        // A strong, quoted entity tag of this content: another body gets another one.
        Assert.False(get.Headers.ETag.IsWeak);
        Assert.Matches("^\"[^\"]+\"$", etag);
        Assert.NotEqual(etag, await PutOkAsync("greeting-other.txt", Bytes("another body")));
        Assert.Equal("text/plain", get.Content.Headers.ContentType!.MediaType);
        Assert.Equal(body.Length, get.Content.Headers.ContentLength);
        // Last-Modified is the time of this write (whole seconds in HTTP; the emulators share this machine's clock).
        var lastModified = get.Content.Headers.LastModified!.Value;
        Assert.InRange(lastModified, before.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal("team-a", get.Headers.GetValues("x-meta-owner").Single());
        Assert.Equal("conformance test", get.Headers.GetValues("x-meta-purpose").Single());

        using var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, ObjectUrl("greeting.txt")));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(etag, head.Headers.ETag!.ToString());
        Assert.Equal(lastModified, head.Content.Headers.LastModified);
        Assert.Equal(body.Length, head.Content.Headers.ContentLength);
        Assert.Equal("team-a", head.Headers.GetValues("x-meta-owner").Single());
    }

    [Fact]
    public async Task Md5_hash_is_reported_and_matches_the_body()
    {
        var body = RandomNumberGenerator.GetBytes(10_000);
        await PutOkAsync("hashed.bin", body);
        using var get = await Http.GetAsync(ObjectUrl("hashed.bin"));
        Assert.Equal(Convert.ToBase64String(MD5.HashData(body)), get.Headers.GetValues("x-checksum-md5").Single());
    }

    [Fact]
    public async Task Overwrite_replaces_content_and_etag()
    {
        var first = await PutOkAsync("over.txt", Bytes("one"));
        var second = await PutOkAsync("over.txt", Bytes("two!"));
        Assert.NotEqual(first, second);
        Assert.Equal("two!", await Http.GetStringAsync(ObjectUrl("over.txt")));
    }

    [Fact]
    public async Task Empty_object_round_trips()
    {
        await PutOkAsync("empty", []);
        using var get = await Http.GetAsync(ObjectUrl("empty"));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(0, get.Content.Headers.ContentLength);
        Assert.Empty(await get.Content.ReadAsByteArrayAsync());
        Assert.Contains("empty", await ListAllKeysAsync());
    }

    public static TheoryData<string> HostileKeys() => new()
    {
        "spaces in name.txt",
        "quotes \"double\" and 'single'",
        "question?mark",
        "hash#tag",
        "percent%25 and %2F literal",
        "plus+sign",
        "ampersand&equals=semicolon;",
        "unicode/日本語/ファイル.txt",
        "Ελληνικά/кириллица/עברית/العربية",
        "emoji 😀 🚀",
        "deep/a/b/c/d/e/f/g/h/object",
        "double//slash",
        "trailing/",
        "tilde~and(parens)[brackets]{braces}",
        "comma,colon:at@dollar$excl!star*",
        new string('k', 1024),
        string.Concat(Enumerable.Repeat("é", 512)),
    };

    [Theory]
    [MemberData(nameof(HostileKeys))]
    public async Task Hostile_keys_round_trip_and_list_exactly(string key)
    {
        var body = Bytes("payload of " + key);
        await PutOkAsync(key, body);
        Assert.Equal(body, await Http.GetByteArrayAsync(ObjectUrl(key)));
        using (var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, ObjectUrl(key))))
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal([key], await ListAllKeysAsync());
        using (var delete = await Http.DeleteAsync(ObjectUrl(key)))
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await Http.GetAsync(ObjectUrl(key));
        await AssertProblemAsync(gone, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Key_longer_than_1024_bytes_is_rejected()
    {
        using var response = await PutAsync(new string('k', 1025), Bytes("x"));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "bad-request");
        Assert.Empty(await ListAllKeysAsync());
    }

    /// <summary>False for a store that refuses a backslash in a key (Azure reads it as '/').</summary>
    protected virtual bool HoldsBackslashKeys => true;

    /// <summary>
    /// A backslash is a key's character (S3 takes it, so the S3 front door and a copy can write one). Until session 48 the
    /// path refused %5C, so such an object was listed but could not be read, replaced or deleted through the facade. Sent
    /// as %5C it is reached like any other; a store that cannot hold it refuses it with a 400 and writes nothing.
    /// </summary>
    [Fact]
    public async Task A_key_with_a_backslash_is_reached_through_the_path_as_percent_5C()
    {
        const string key = "dir\\name x";
        var target = $"/v1/stores/{Store}/buckets/{Bucket}/objects/dir%5Cname%20x";
        var put = await RawHttp.SendAsync(Server, "PUT", target, "held");
        if (!HoldsBackslashKeys)
        {
            Assert.True(put.Status == 400, $"PUT: {put.Status} {put.Body}");
            using (var problem = JsonDocument.Parse(put.Payload))
                Assert.Contains("'\\'", problem.RootElement.GetProperty("detail").GetString());
            Assert.Empty(await ListAllKeysAsync());
            return;
        }
        Assert.True(put.Status is 200 or 201, $"PUT: {put.Status} {put.Body}");
        Assert.Equal([key], await ListAllKeysAsync());
        var get = await RawHttp.SendAsync(Server, "GET", target, null);
        Assert.True(get.Status == 200, $"GET: {get.Status} {get.Body}");
        Assert.Equal("held", get.Payload);
        var delete = await RawHttp.SendAsync(Server, "DELETE", target, null);
        Assert.True(delete.Status == 204, $"DELETE: {delete.Status} {delete.Body}");
        Assert.Empty(await ListAllKeysAsync());
    }

    public static TheoryData<string> TraversalTargets() => new()
    {
        "../escape",
        "a/../../escape",
        "%2e%2e/escape",
        "a/%2E%2E/%2e%2e/escape",
        "a%2Fb",
        "a%2f..%2f..%2fescape",
        "a%5C..%5Cescape",
        "nul%00byte",
        "./dot",
        "%2Fabsolute",
        "line%0Abreak",
    };

    [Theory]
    [MemberData(nameof(TraversalTargets))]
    public async Task Traversal_and_smuggled_keys_get_400_and_touch_nothing(string rawKey)
    {
        foreach (var method in new[] { HttpMethod.Put, HttpMethod.Get, HttpMethod.Delete })
        {
            // Sent over a raw socket: HttpClient's Uri would normalise dot segments away before sending.
            var response = await RawHttp.SendAsync(Server, method.Method, $"/v1/stores/{Store}/buckets/{Bucket}/objects/{rawKey}", method == HttpMethod.Put ? "evil" : null);
            Assert.True(response.Status == 400, $"{method} {rawKey}: expected 400, got {response.Status}: {response.Body}");
            // Kestrel's own parser refuses a NUL before the application sees the request: a bare 400, still nothing stored.
            if (!rawKey.Contains("%00")) Assert.Contains("application/problem+json", response.ContentType);
        }
        Assert.Empty(await ListAllKeysAsync());
    }

    [Theory]
    [InlineData("UPPER")]
    [InlineData("ab")]
    [InlineData("under_score")]
    [InlineData("double--hyphen")]
    [InlineData("-leading")]
    [InlineData("dot..name")]
    public async Task Bad_bucket_names_get_400(string bucket)
    {
        using var create = await Http.PutAsync($"v1/stores/{Store}/buckets/{bucket}", null);
        await AssertProblemAsync(create, HttpStatusCode.BadRequest, "bad-request");
        using var put = await Http.PutAsync($"v1/stores/{Store}/buckets/{bucket}/objects/x", new ByteArrayContent(Bytes("x")));
        await AssertProblemAsync(put, HttpStatusCode.BadRequest, "bad-request");
    }

    [Fact]
    public async Task Large_object_streams_through_both_ways()
    {
        var size = LargeObjectBytes;
        var upload = new PatternStream(size, seed: 7);
        var request = new HttpRequestMessage(HttpMethod.Put, ObjectUrl("large/object.bin"))
        {
            Content = new StreamContent(upload, 256 * 1024),
        };
        request.Content.Headers.ContentLength = size;
        using (var put = await Http.SendAsync(request))
            Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());

        using var get = await Http.GetAsync(ObjectUrl("large/object.bin"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(size, get.Content.Headers.ContentLength);
        await using var body = await get.Content.ReadAsStreamAsync();
        var downloaded = await SHA256.HashDataAsync(body);
        Assert.Equal(upload.Sha256(), downloaded);
    }

    [Fact]
    public async Task Missing_object_and_bucket_are_404_problems()
    {
        using var missing = await Http.GetAsync(ObjectUrl("nope"));
        await AssertProblemAsync(missing, HttpStatusCode.NotFound, "not-found");
        using var noBucket = await Http.GetAsync($"v1/stores/{Store}/buckets/no-such-bucket-zz9/objects/x");
        await AssertProblemAsync(noBucket, HttpStatusCode.NotFound, "not-found");
        using var noStore = await Http.GetAsync("v1/stores/no-such-store/buckets");
        await AssertProblemAsync(noStore, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Put_into_a_missing_bucket_is_a_404_problem_and_creates_neither_bucket_nor_object()
    {
        var missing = "missing-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        using (var put = await Http.PutAsync($"v1/stores/{Store}/buckets/{missing}/objects/a/b.txt", new ByteArrayContent(Bytes("lost"))))
            await AssertProblemAsync(put, HttpStatusCode.NotFound, "not-found");
        var buckets = await Http.GetFromJsonAsync<JsonElement>($"v1/stores/{Store}/buckets");
        Assert.DoesNotContain(missing, buckets.GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("name").GetString()));
        using var get = await Http.GetAsync($"v1/stores/{Store}/buckets/{missing}/objects/a/b.txt");
        await AssertProblemAsync(get, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Delete_is_idempotent()
    {
        await PutOkAsync("to-delete", Bytes("x"));
        using (var first = await Http.DeleteAsync(ObjectUrl("to-delete"))) Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        using (var second = await Http.DeleteAsync(ObjectUrl("to-delete"))) Assert.Equal(HttpStatusCode.NoContent, second.StatusCode);
        Assert.Empty(await ListAllKeysAsync());
    }
}
