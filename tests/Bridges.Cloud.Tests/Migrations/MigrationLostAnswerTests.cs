using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Testing;
using Gateway.Testing.Migrations;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.Migrations;

/// <summary>
/// A write that reached the target store while its answer was lost: the target is reached through a forwarder that lets
/// the request through whole and drops the connection as the store's answer starts (<see cref="CuttableTcpForwarder.LoseAnswers"/>),
/// so the object (or part, or completion) is stored and the gateway sees a dropped connection. The job must take what
/// landed for its own write: every object done once (copied) and verified, the target holding exactly the source's bytes,
/// nothing partial visible. Azurite ("azure") has a migrating store in front of it, so a lost write that were taken for a
/// service's would show as newer-at-target; s3rver ("s3-cut") has none.
/// </summary>
public sealed class MigrationLostAnswerTests : IAsyncLifetime
{
    private const int LargeBytes = 17 * 1024 * 1024; // ranged reads into a multipart upload of 3 parts (8 MiB parts)
    private ForwardedStores _stores = null!;
    private GatewayServer _server = null!;
    private MigrationClient _api = null!;

    public async Task InitializeAsync()
    {
        _stores = new ForwardedStores();
        var settings = _stores.Settings();
        settings["Gateway:Stores:live:Kind"] = "migrating";
        settings["Gateway:Stores:live:From"] = "s3";
        settings["Gateway:Stores:live:To"] = "azure";
        settings["Gateway:Migrations:RetryBaseDelay"] = "00:00:00.020";
        settings["Gateway:Migrations:RetryMaxDelay"] = "00:00:00.200";
        _server = await GatewayServer.StartAsync(settings);
        _api = new MigrationClient(_server);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _stores.DisposeAsync();
    }

    private CuttableTcpForwarder Forwarder(string store) => store == "azure" ? _stores.Azurite : _stores.S3rver;

    /// <summary>The request target's path for an object of <paramref name="bucket"/> at this store ("/account/container/" at Azurite).</summary>
    private static string ObjectPath(string store, string bucket) =>
        store == "azure" ? $"/{CloudBackends.AzuriteAccount}/{bucket}/" : $"/{bucket}/";

    private static string NewBucket() => "lost-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    private async Task<(string Source, string Target, List<MigrationObject> Objects)> SeedAsync(string targetStore, params int[] sizes)
    {
        // Into Azure under the source's bucket name: the migrating store mirrors bucket and key, so only such a job is one it
        // fronts. s3-cut is the same s3rver as the source, so it gets a bucket of its own.
        var src = NewBucket();
        var dst = targetStore == "azure" ? src : NewBucket();
        await _api.CreateBucketAsync("s3", src);
        await _api.CreateBucketAsync(targetStore, dst);
        var objects = sizes.Select((size, i) => new MigrationObject($"dir/obj {i}.bin", RandomNumberGenerator.GetBytes(size), "application/x-test",
            new Dictionary<string, string> { ["n"] = i.ToString(CultureInfo.InvariantCulture) })).ToList();
        foreach (var o in objects) await _api.PutAsync("s3", src, o.Key, o.Body, o.ContentType, o.Metadata);
        return (src, dst, objects);
    }

    [Theory]
    [InlineData("azure")]
    [InlineData("s3-cut")]
    public async Task A_small_objects_put_whose_answer_was_lost_is_done_once_as_copied(string targetStore)
    {
        var (src, dst, objects) = await SeedAsync(targetStore, 1500, 0, 70_000);
        var path = ObjectPath(targetStore, dst);
        Forwarder(targetStore).LoseAnswers(1, (method, target) => method == "PUT" && target.StartsWith(path, StringComparison.Ordinal) && !target.Contains('?'));

        await RunToCompletionAsync(src, targetStore, dst, objects);
        Assert.Equal(1, Forwarder(targetStore).Lost);
    }

    [Theory]
    [InlineData("azure")]
    [InlineData("s3-cut")]
    public async Task A_multipart_part_whose_answer_was_lost_is_sent_again_and_the_object_verified(string targetStore)
    {
        var (src, dst, objects) = await SeedAsync(targetStore, LargeBytes, 900);
        var path = ObjectPath(targetStore, dst);
        Forwarder(targetStore).LoseAnswers(1, (method, target) => method == "PUT" && target.StartsWith(path, StringComparison.Ordinal)
            && (target.Contains("partNumber=2", StringComparison.Ordinal) || target.Contains("comp=block&", StringComparison.Ordinal)
                || target.EndsWith("comp=block", StringComparison.Ordinal)));

        var items = await RunToCompletionAsync(src, targetStore, dst, objects);
        Assert.Equal(1, Forwarder(targetStore).Lost);
        AssertVerifiedWithSha256(items, objects[0]);
    }

    [Theory]
    [InlineData("azure")]
    [InlineData("s3-cut")]
    public async Task A_completion_whose_answer_was_lost_is_taken_as_the_jobs_own_and_verified(string targetStore)
    {
        var (src, dst, objects) = await SeedAsync(targetStore, LargeBytes);
        var path = ObjectPath(targetStore, dst);
        Forwarder(targetStore).LoseAnswers(1, (method, target) => target.StartsWith(path, StringComparison.Ordinal)
            && (method == "POST" && target.Contains("uploadId=", StringComparison.Ordinal) || method == "PUT" && target.Contains("comp=blocklist", StringComparison.Ordinal)));

        var items = await RunToCompletionAsync(src, targetStore, dst, objects);
        Assert.Equal(1, Forwarder(targetStore).Lost);
        AssertVerifiedWithSha256(items, objects[0]);
        // The completed object was taken as it was: no upload started again, no part sent again.
        var requests = Forwarder(targetStore).Requests;
        var after = requests.SkipWhile(r => !r.AnswerLost).Skip(1).ToList();
        Assert.DoesNotContain(after, r => r.Target.Contains("?uploads", StringComparison.Ordinal) || r.Target.Contains("partNumber=", StringComparison.Ordinal)
            || r.Target.Contains("comp=block&", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_facade_put_whose_answer_was_lost_is_a_clear_error_and_the_store_holds_the_whole_object()
    {
        var bucket = NewBucket();
        await _api.CreateBucketAsync("s3-cut", bucket);
        var body = RandomNumberGenerator.GetBytes(5000);
        _stores.S3rver.LoseAnswers(1, (method, target) => method == "PUT" && target.StartsWith($"/{bucket}/", StringComparison.Ordinal));

        using var request = new HttpRequestMessage(HttpMethod.Put, MigrationClient.ObjectUrl("s3-cut", bucket, "k.bin")) { Content = new ByteArrayContent(body) };
        using var response = await _server.Client.SendAsync(request);
        var problem = await response.Content.ReadAsStringAsync();

        Assert.Equal(1, _stores.S3rver.Lost);
        // Whatever the bridge made of it (a retry that found the object, or an error), never a 500 with no reason.
        Assert.True(response.IsSuccessStatusCode || (int)response.StatusCode is 502 or 503 or 504, $"{(int)response.StatusCode}: {problem}");
        if (!response.IsSuccessStatusCode)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var doc = JsonDocument.Parse(problem);
            Assert.False(string.IsNullOrWhiteSpace(doc.RootElement.GetProperty("detail").GetString()), problem);
        }
        using var stored = await _api.GetAsync("s3-cut", bucket, "k.bin");
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal(body, await stored.Content.ReadAsByteArrayAsync());
    }

    /// <summary>
    /// Runs a copy job from s3 to the target and asserts it completed with every object done once as copied, the target
    /// holding exactly the source's objects and bytes. Returns the job's items.
    /// </summary>
    private async Task<List<JsonElement>> RunToCompletionAsync(string src, string targetStore, string dst, List<MigrationObject> objects)
    {
        var id = await _api.StartAsync(new { source = new { store = "s3", bucket = src }, target = new { store = targetStore, bucket = dst }, concurrency = 1 });
        var end = await _api.WaitForEndAsync(id);

        var items = await _api.ItemsAsync(id);
        Assert.True(end.GetProperty("state").GetString() == "completed", end + " " + string.Join(", ", items));
        Assert.True(objects.Count == end.GetProperty("objects").GetProperty("done").GetInt64(), string.Join(", ", items));
        Assert.Equal(0, end.GetProperty("objects").GetProperty("skipped").GetInt64());
        Assert.Equal(0, end.GetProperty("objects").GetProperty("failed").GetInt64());
        Assert.Equal(objects.Sum(o => (long)o.Body.Length), end.GetProperty("bytes").GetProperty("done").GetInt64());
        await _api.AssertTotalsMatchItemsAsync(id);
        Assert.Equal(objects.Select(o => o.Key).Order(StringComparer.Ordinal), items.Select(i => i.GetProperty("key").GetString()!).Order(StringComparer.Ordinal));
        var byKey = objects.ToDictionary(o => o.Key, StringComparer.Ordinal);
        foreach (var item in items)
        {
            Assert.True(item.GetProperty("state").GetString() == "done" && item.GetProperty("action").GetString() == "copy", item.ToString());
            if (item.GetProperty("sha256") is { ValueKind: JsonValueKind.String } sha256)
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(byKey[item.GetProperty("key").GetString()!].Body)), sha256.GetString());
        }
        var listed = (await _api.ListAsync(targetStore, dst)).Select(o => o.GetProperty("key").GetString()!).Order(StringComparer.Ordinal);
        Assert.Equal(objects.Select(o => o.Key).Order(StringComparer.Ordinal), listed);
        foreach (var o in objects) await _api.AssertArrivedAsync(targetStore, dst, o);
        return items;
    }

    /// <summary>The large object went through the verification that yields its SHA-256 (not taken as identical unseen).</summary>
    private static void AssertVerifiedWithSha256(List<JsonElement> items, MigrationObject large)
    {
        var item = items.Single(i => i.GetProperty("key").GetString() == large.Key);
        Assert.True(item.GetProperty("sha256").ValueKind == JsonValueKind.String, item.ToString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(large.Body)), item.GetProperty("sha256").GetString());
    }
}
