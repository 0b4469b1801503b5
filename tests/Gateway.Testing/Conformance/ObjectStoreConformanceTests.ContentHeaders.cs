using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Gateway.Testing.Conformance;

/// <summary>Issue 17: Cache-Control, Content-Disposition, Content-Encoding, Content-Language and Expires are kept with an object.</summary>
public abstract partial class ObjectStoreConformanceTests
{
    private static readonly Dictionary<string, string> GivenContentHeaders = new()
    {
        ["Cache-Control"] = "public, max-age=14400",
        ["Content-Disposition"] = "attachment; filename=\"report 2026.csv\"",
        ["Content-Encoding"] = "gzip",
        ["Content-Language"] = "de-DE",
        ["Expires"] = "Wed, 02 Jan 2030 03:04:05 GMT",
    };

    private static string? HeaderOf(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var v) || response.Content.Headers.TryGetValues(name, out v) ? string.Join(", ", v) : null;

    private static void AssertContentHeaders(HttpResponseMessage response, IReadOnlyDictionary<string, string?> expected, string what)
    {
        foreach (var (name, value) in expected) Assert.True(value == HeaderOf(response, name), $"{what}: {name} is '{HeaderOf(response, name)}', expected '{value}'");
    }

    [SkippableFact]
    public async Task A_304_carries_the_etag_cache_control_and_expires_a_200_would_and_no_body_headers()
    {
        await RequireAsync("conditionalRequests");
        var etag = await PutOkAsync("cached", Bytes("cached bytes"), r =>
        {
            foreach (var (name, value) in GivenContentHeaders)
                if (!r.Headers.TryAddWithoutValidation(name, value)) r.Content!.Headers.TryAddWithoutValidation(name, value);
        });
        using var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, ObjectUrl("cached")));
        var modified = head.Content.Headers.LastModified!.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            foreach (var (name, value) in new[] { ("If-None-Match", etag), ("If-Modified-Since", modified) })
            {
                var request = new HttpRequestMessage(method, ObjectUrl("cached"));
                request.Headers.TryAddWithoutValidation(name, value);
                using var response = await Http.SendAsync(request);
                var what = $"{method} {name}";
                Assert.True(response.StatusCode == HttpStatusCode.NotModified, $"{what}: {(int)response.StatusCode}");
                Assert.Equal(etag, response.Headers.ETag?.ToString());
                AssertContentHeaders(response, new Dictionary<string, string?>
                {
                    ["Cache-Control"] = GivenContentHeaders["Cache-Control"],
                    ["Expires"] = GivenContentHeaders["Expires"],
                    ["Content-Disposition"] = null,
                    ["Content-Encoding"] = null,
                    ["Content-Language"] = null,
                }, what);
                Assert.Empty(await response.Content.ReadAsByteArrayAsync());
            }
        }
    }

    /// <summary>
    /// A copy of an object onto itself keeps its bytes, content type, metadata and standard headers, as on every store. On an
    /// S3 store it was a 400 (S3 refuses a copy onto itself that changes nothing, "InvalidRequest") while the local and Azure
    /// stores copied (hand probe, 2026-12-05).
    /// </summary>
    [SkippableFact]
    public async Task A_copy_onto_itself_keeps_the_object_as_it_was()
    {
        await RequireAsync("serverSideCopy", "userMetadata");
        var body = Bytes("copied onto itself");
        await PutOkAsync("self", body, r =>
        {
            r.Content!.Headers.ContentType = new("text/x-self");
            r.Headers.TryAddWithoutValidation("x-meta-owner", "probe");
            r.Headers.TryAddWithoutValidation("Cache-Control", "no-store");
        });
        using (var copy = await Http.PostAsJsonAsync($"v1/stores/{Store}/copy", new
        {
            source = new { bucket = Bucket, key = "self" },
            target = new { bucket = Bucket, key = "self" },
        })) Assert.True(copy.StatusCode == HttpStatusCode.OK, $"{(int)copy.StatusCode}: {await copy.Content.ReadAsStringAsync()}");
        using var get = await Http.GetAsync(ObjectUrl("self"));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(body, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal("text/x-self", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal("probe", get.Headers.GetValues("x-meta-owner").Single());
        Assert.Equal("no-store", get.Headers.CacheControl?.ToString());
    }

    [SkippableFact]
    public async Task Standard_headers_given_at_upload_are_kept_and_answered_on_get_head_and_copy()
    {
        await RequireAsync("serverSideCopy");
        var body = Bytes("gzip bytes stay as they are");
        await PutOkAsync("hdr", body, r =>
        {
            foreach (var (name, value) in GivenContentHeaders)
                if (!r.Headers.TryAddWithoutValidation(name, value)) r.Content!.Headers.TryAddWithoutValidation(name, value);
        });
        var all = GivenContentHeaders.ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
        using (var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, ObjectUrl("hdr"))))
            AssertContentHeaders(head, all, "HEAD");
        using (var get = await Http.GetAsync(ObjectUrl("hdr")))
        {
            AssertContentHeaders(get, all, "GET");
            Assert.Equal(body, await get.Content.ReadAsByteArrayAsync()); // sent as stored, never decoded
        }

        using (var copy = await Http.PostAsJsonAsync($"v1/stores/{Store}/copy", new
        {
            source = new { bucket = Bucket, key = "hdr" },
            target = new { bucket = Bucket, key = "hdr-copy" },
        })) Assert.True(copy.StatusCode == HttpStatusCode.OK, await copy.Content.ReadAsStringAsync());
        using (var copied = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, ObjectUrl("hdr-copy"))))
            AssertContentHeaders(copied, all, "copy");

        using (var replace = await Http.PostAsJsonAsync($"v1/stores/{Store}/copy", new
        {
            source = new { bucket = Bucket, key = "hdr" },
            target = new { bucket = Bucket, key = "hdr-replaced" },
            metadataDirective = "replace",
            contentType = "text/csv",
            contentHeaders = new { cacheControl = "no-cache", contentLanguage = "en" },
        }))
        {
            Assert.True(replace.StatusCode == HttpStatusCode.OK, await replace.Content.ReadAsStringAsync());
            var info = await replace.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("no-cache", info.GetProperty("contentHeaders").GetProperty("cacheControl").GetString());
        }
        using var replaced = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, ObjectUrl("hdr-replaced")));
        AssertContentHeaders(replaced, new Dictionary<string, string?>
        {
            ["Cache-Control"] = "no-cache",
            ["Content-Language"] = "en",
            ["Content-Disposition"] = null,
            ["Content-Encoding"] = null,
            ["Expires"] = null,
        }, "replaced");
    }

    [Theory]
    [InlineData("Cache-Control", "max-age=1\u007f")]
    [InlineData("Content-Disposition", "attachment; filename=\"Köln.txt\"")]
    [InlineData("Content-Encoding", "gzip\u007f")]
    [InlineData("Expires", "tomorrow\u0001")]
    public async Task Standard_headers_outside_the_rules_are_refused_and_nothing_is_stored(string header, string value)
    {
        var response = await RawHttp.SendAsync(Server, "PUT", "/" + ObjectUrl("hdr-refused"), "body", [Utf8Header(header, value)]);
        await AssertRawProblemAsync(response, 400, header);
        Assert.Empty(await ListAllKeysAsync());
    }

    [Fact]
    public async Task Copy_with_replaced_standard_headers_outside_the_rules_is_refused()
    {
        await PutOkAsync("hdr-src", Bytes("source"));
        using var response = await Http.PostAsJsonAsync($"v1/stores/{Store}/copy", new
        {
            source = new { bucket = Bucket, key = "hdr-src" },
            target = new { bucket = Bucket, key = "hdr-dst" },
            metadataDirective = "replace",
            contentHeaders = new { contentDisposition = "attachment\r\nX-Injected: 1" },
        });
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "bad-request");
        Assert.Equal(["hdr-src"], await ListAllKeysAsync());
    }
}
