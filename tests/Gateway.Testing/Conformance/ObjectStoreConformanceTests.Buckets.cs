using System.Net;
using System.Net.Http.Json;
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
