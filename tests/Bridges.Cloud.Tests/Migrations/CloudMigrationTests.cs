using Xunit;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Testing;
using Gateway.Testing.Migrations;

namespace Gateway.Bridges.Cloud.Tests.Migrations;

/// <summary>Migration jobs between the real emulators: s3rver to Azurite, Azurite to s3rver and to the local store.</summary>
public sealed class CloudMigrationTests : IAsyncLifetime
{
    private GatewayServer _server = null!;
    private MigrationClient _api = null!;

    public async Task InitializeAsync()
    {
        CloudBackends.EnsureAnswers("s3", CloudBackends.S3Endpoint);
        CloudBackends.EnsureAnswers("azurite", CloudBackends.AzuriteEndpoint + "?comp=list");
        _server = await GatewayServer.StartAsync(CloudBackends.S3AndAzureStores().ToDictionary(kv => kv.Key, kv => (string?)kv.Value));
        _api = new MigrationClient(_server);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string NewBucket() => "mig-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    [Fact]
    public async Task S3_to_azure_copies_hostile_keys_metadata_empty_and_large_objects_verified()
    {
        var (src, dst) = (NewBucket(), NewBucket());
        await _api.CreateBucketAsync("s3", src);
        await _api.CreateBucketAsync("azure", dst);
        var objects = MigrationDataSet.Make(60);
        // Larger than the S3 bridge's multipart threshold, so the source was written in parts.
        objects.Add(new MigrationObject("large/blob.bin", RandomNumberGenerator.GetBytes(24 * 1024 * 1024), "application/octet-stream", new Dictionary<string, string>()));
        foreach (var o in objects) await _api.PutAsync("s3", src, o.Key, o.Body, o.ContentType, o.Metadata);

        var id = await _api.StartAsync(new { source = new { store = "s3", bucket = src }, target = new { store = "azure", bucket = dst }, concurrency = 8 });
        var end = await _api.WaitForEndAsync(id);

        Assert.True(end.GetProperty("state").GetString() == "completed", end.ToString());
        Assert.Equal(objects.Count, end.GetProperty("objects").GetProperty("done").GetInt64());
        foreach (var o in objects) await _api.AssertArrivedAsync("azure", dst, o);

        var again = await _api.StartAsync(new { source = new { store = "s3", bucket = src }, target = new { store = "azure", bucket = dst } });
        var second = await _api.WaitForEndAsync(again);
        Assert.Equal(0, second.GetProperty("objects").GetProperty("done").GetInt64());
        Assert.Equal(objects.Count, second.GetProperty("objects").GetProperty("skipped").GetInt64());
    }

    [Fact]
    public async Task A_dotted_bucket_moves_from_s3_and_cannot_be_named_as_an_azure_target()
    {
        var src = NewBucket() + ".example.org";
        await _api.CreateBucketAsync("s3", src);
        await _api.PutAsync("s3", src, "dotted/one.txt", "from a dotted bucket"u8.ToArray(), "text/plain");

        var (refused, problem) = await _api.CreateAsync(new { source = new { store = "s3", bucket = src }, target = new { store = "azure", bucket = src } });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("target.bucket: store 'azure' cannot hold bucket names with '.'.", problem.GetProperty("detail").GetString());

        var dst = NewBucket();
        await _api.CreateBucketAsync("azure", dst);
        var end = await _api.WaitForEndAsync(await _api.StartAsync(new { source = new { store = "s3", bucket = src }, target = new { store = "azure", bucket = dst } }));
        Assert.True(end.GetProperty("state").GetString() == "completed", end.ToString());
        using var arrived = await _api.GetAsync("azure", dst, "dotted/one.txt");
        Assert.Equal("from a dotted bucket", await arrived.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Azure_to_s3_sends_a_large_object_as_s3_multipart_parts_verified()
    {
        var (src, dst) = (NewBucket(), NewBucket());
        await _api.CreateBucketAsync("azure", src);
        await _api.CreateBucketAsync("s3", dst);
        var body = RandomNumberGenerator.GetBytes(20 * 1024 * 1024 + 7);
        await _api.PutAsync("azure", src, "big/parts.bin", body, "application/x-parts", new Dictionary<string, string> { ["origin"] = "azure" });

        var id = await _api.StartAsync(new { source = new { store = "azure", bucket = src }, target = new { store = "s3", bucket = dst } });
        var end = await _api.WaitForEndAsync(id);

        Assert.True(end.GetProperty("state").GetString() == "completed", end.ToString());
        var item = Assert.Single(await _api.ItemsAsync(id, "done"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), item.GetProperty("sha256").GetString());
        using (var response = await _api.GetAsync("s3", dst, "big/parts.bin"))
        {
            Assert.Equal(SHA256.HashData(body), SHA256.HashData(await response.Content.ReadAsByteArrayAsync()));
            Assert.Equal("application/x-parts", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("azure", response.Headers.GetValues("x-meta-origin").Single());
        }
        // Three parts of 8, 8 and 4 MiB, each uploaded once through the S3 bridge's UploadPart.
        var parts = new List<string>();
        long after = 0;
        while (true)
        {
            var page = await _server.Client.GetFromJsonAsync<JsonElement>($"v1/audit?after={after}&limit=1000");
            var entries = page.GetProperty("entries").EnumerateArray().ToList();
            if (entries.Count == 0) break;
            parts.AddRange(entries.Where(e => e.GetProperty("operation").GetString() == "object-storage.upload-part" && e.GetProperty("status").GetString() == "ok")
                .Select(e => e.GetProperty("target").GetString()!).Where(t => t.Contains(dst + "/", StringComparison.Ordinal)));
            after = entries[^1].GetProperty("sequence").GetInt64();
        }
        Assert.Equal(Enumerable.Range(1, 3).Select(n => $"s3/{dst}/big/parts.bin part {n}"), parts.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Azure_to_local_sync_removes_extraneous_objects()
    {
        var (src, dst) = (NewBucket(), NewBucket());
        await _api.CreateBucketAsync("azure", src);
        await _api.CreateBucketAsync("local", dst);
        var objects = MigrationDataSet.Make(30);
        foreach (var o in objects) await _api.PutAsync("azure", src, o.Key, o.Body, o.ContentType, o.Metadata);
        await _api.PutAsync("local", dst, "left-over.txt", "old"u8.ToArray());

        var id = await _api.StartAsync(new { source = new { store = "azure", bucket = src }, target = new { store = "local", bucket = dst }, mode = "sync" });
        var end = await _api.WaitForEndAsync(id);

        Assert.True(end.GetProperty("state").GetString() == "completed", end.ToString());
        Assert.Equal(1, end.GetProperty("deletedAtTarget").GetInt64());
        var keys = (await _api.ListAsync("local", dst)).Select(o => o.GetProperty("key").GetString()!).ToHashSet();
        Assert.Equal(objects.Select(o => o.Key).ToHashSet(), keys);
    }
}
