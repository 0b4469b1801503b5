using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Xunit;

namespace Gateway.Testing.Conformance;

public abstract partial class ObjectStoreConformanceTests
{
    [SkippableFact]
    public async Task Bucket_lifecycle_create_conflict_list_delete()
    {
        await RequireAsync("listBuckets");
        using (var again = await Http.PutAsync($"v1/stores/{Store}/buckets/{Bucket}", null))
            await AssertProblemAsync(again, HttpStatusCode.Conflict, "conflict");
        var list = await Http.GetFromJsonAsync<JsonElement>($"v1/stores/{Store}/buckets");
        Assert.Contains(Bucket, list.GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("name").GetString()));

        await PutOkAsync("keeps-it-busy", Bytes("x"));
        using (var notEmpty = await Http.DeleteAsync($"v1/stores/{Store}/buckets/{Bucket}"))
            await AssertProblemAsync(notEmpty, HttpStatusCode.Conflict, "conflict");
        using (var del = await Http.DeleteAsync(ObjectUrl("keeps-it-busy"))) Assert.Equal(HttpStatusCode.NoContent, del.StatusCode);
        using (var delete = await Http.DeleteAsync($"v1/stores/{Store}/buckets/{Bucket}"))
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using (var gone = await Http.DeleteAsync($"v1/stores/{Store}/buckets/{Bucket}"))
            await AssertProblemAsync(gone, HttpStatusCode.NotFound, "not-found");
        var after = await Http.GetFromJsonAsync<JsonElement>($"v1/stores/{Store}/buckets");
        Assert.DoesNotContain(Bucket, after.GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Dotted_bucket_names_work_where_the_store_declares_them_and_are_400_elsewhere()
    {
        var dotted = "conf." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)) + ".example-1.org";
        const string key = "dotted/it's ü+#?.txt";
        if ((await CapabilitiesAsync()).GetProperty("dottedBucketNames").GetBoolean())
        {
            using (var create = await Http.PutAsync($"v1/stores/{Store}/buckets/{dotted}", null))
                Assert.Equal(HttpStatusCode.Created, create.StatusCode);
            await PutOkAsync(key, Bytes("in a dotted bucket"), r => r.RequestUri = new Uri(ObjectUrl(key, dotted), UriKind.Relative));
            Assert.Equal("in a dotted bucket", await Http.GetStringAsync(ObjectUrl(key, dotted)));
            var listed = await Http.GetFromJsonAsync<JsonElement>(ListUrl(bucket: dotted));
            Assert.Equal([key], listed.GetProperty("objects").EnumerateArray().Select(o => o.GetProperty("key").GetString()));
            var buckets = await Http.GetFromJsonAsync<JsonElement>($"v1/stores/{Store}/buckets");
            Assert.Contains(dotted, buckets.GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("name").GetString()));
            using (var del = await Http.DeleteAsync(ObjectUrl(key, dotted))) Assert.Equal(HttpStatusCode.NoContent, del.StatusCode);
            using (var delete = await Http.DeleteAsync($"v1/stores/{Store}/buckets/{dotted}")) Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }
        else
        {
            using (var create = await Http.PutAsync($"v1/stores/{Store}/buckets/{dotted}", null))
                await AssertProblemAsync(create, HttpStatusCode.BadRequest, "bad-request");
            using (var put = await Http.PutAsync(ObjectUrl(key, dotted), new ByteArrayContent(Bytes("x"))))
                await AssertProblemAsync(put, HttpStatusCode.BadRequest, "bad-request");
            using (var list = await Http.GetAsync(ListUrl(bucket: dotted)))
                await AssertProblemAsync(list, HttpStatusCode.BadRequest, "bad-request");
        }
        var after = await Http.GetFromJsonAsync<JsonElement>($"v1/stores/{Store}/buckets");
        Assert.DoesNotContain(dotted, after.GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("name").GetString()));
    }

    [Theory]
    [InlineData("a..b")]
    [InlineData("ab.-cd")]
    [InlineData("ab-.cd")]
    [InlineData(".abc")]
    [InlineData("abc.")]
    [InlineData("192.168.5.4")]
    [InlineData("a.b--c")]
    public async Task Dotted_names_outside_the_rules_are_400_on_every_store_and_create_nothing(string name)
    {
        using (var create = await Http.PutAsync($"v1/stores/{Store}/buckets/{name}", null))
            await AssertProblemAsync(create, HttpStatusCode.BadRequest, "bad-request");
        using (var put = await Http.PutAsync(ObjectUrl("k", name), new ByteArrayContent(Bytes("x"))))
            await AssertProblemAsync(put, HttpStatusCode.BadRequest, "bad-request");
        var after = await Http.GetFromJsonAsync<JsonElement>($"v1/stores/{Store}/buckets");
        Assert.DoesNotContain(name, after.GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("name").GetString()));
    }

    [SkippableFact]
    public async Task Server_side_copy_keeps_body_and_metadata()
    {
        await RequireAsync("serverSideCopy", "userMetadata");
        await PutOkAsync("source/obj ü.txt", Bytes("copied bytes"), r =>
        {
            r.Content!.Headers.ContentType = new("text/plain");
            r.Headers.Add("x-meta-origin", "source");
        });
        using var copy = await Http.PostAsJsonAsync($"v1/stores/{Store}/copy", new
        {
            source = new { bucket = Bucket, key = "source/obj ü.txt" },
            target = new { bucket = Bucket, key = "target/obj #2.txt" },
        });
        Assert.True(copy.StatusCode == HttpStatusCode.OK, await copy.Content.ReadAsStringAsync());
        using var get = await Http.GetAsync(ObjectUrl("target/obj #2.txt"));
        Assert.Equal("copied bytes", await get.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", get.Content.Headers.ContentType!.MediaType);
        Assert.Equal("source", get.Headers.GetValues("x-meta-origin").Single());
        Assert.Equal("copied bytes", await Http.GetStringAsync(ObjectUrl("source/obj ü.txt")));
    }

    [SkippableFact]
    public async Task A_copy_into_a_missing_bucket_is_a_404_naming_that_bucket_and_creates_nothing()
    {
        await RequireAsync("serverSideCopy");
        await PutOkAsync("src", Bytes("s"));
        var missing = "missing-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        using (var copy = await Http.PostAsJsonAsync($"v1/stores/{Store}/copy", new
        {
            source = new { bucket = Bucket, key = "src" },
            target = new { bucket = missing, key = "dst" },
        }))
        {
            await AssertProblemAsync(copy, HttpStatusCode.NotFound, "not-found");
            // The bucket that is missing, not the source that is there (the S3 and Azure stores named the source).
            var detail = (await copy.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
            Assert.Contains($"'{missing}'", detail);
            Assert.DoesNotContain("'src'", detail);
            Assert.DoesNotContain($"{Bucket}/src", detail);
        }
        var buckets = await Http.GetFromJsonAsync<JsonElement>($"v1/stores/{Store}/buckets");
        Assert.DoesNotContain(missing, buckets.GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("name").GetString()));
        Assert.Equal(["src"], await ListAllKeysAsync());
    }

    [SkippableFact]
    public async Task Copy_honours_conditions_and_reports_missing_sources()
    {
        await RequireAsync("serverSideCopy", "conditionalRequests", "createOnly");
        await PutOkAsync("src", Bytes("s"));
        await PutOkAsync("dst", Bytes("d"));
        using (var createOnly = await Http.PostAsJsonAsync($"v1/stores/{Store}/copy", new
        {
            source = new { bucket = Bucket, key = "src" },
            target = new { bucket = Bucket, key = "dst" },
            targetIfNoneMatch = "*",
        })) await AssertProblemAsync(createOnly, HttpStatusCode.PreconditionFailed, "precondition-failed");
        Assert.Equal("d", await Http.GetStringAsync(ObjectUrl("dst")));

        using (var missing = await Http.PostAsJsonAsync($"v1/stores/{Store}/copy", new
        {
            source = new { bucket = Bucket, key = "no-such-source" },
            target = new { bucket = Bucket, key = "new" },
        })) await AssertProblemAsync(missing, HttpStatusCode.NotFound, "not-found");

        using (var badBody = await Http.PostAsync($"v1/stores/{Store}/copy", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json")))
            await AssertProblemAsync(badBody, HttpStatusCode.BadRequest, "bad-request");
        using (var traversal = await Http.PostAsJsonAsync($"v1/stores/{Store}/copy", new
        {
            source = new { bucket = Bucket, key = "src" },
            target = new { bucket = Bucket, key = "../../escape" },
        })) await AssertProblemAsync(traversal, HttpStatusCode.BadRequest, "bad-request");
        Assert.Equal(["dst", "src"], await ListAllKeysAsync());
    }
}
