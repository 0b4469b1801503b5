using Xunit;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Testing;
using Gateway.Testing.Migrations;

namespace Gateway.Tests.Migrations;

/// <summary>
/// Writers and deleters at the source while a job runs (no migrating store in front: they use the source store itself),
/// between two local stores of one real gateway: an object deleted after the job listed it is nothing left to move
/// (skipped / gone-at-source), not a failure; one replaced after the listing is moved as it is now.
/// </summary>
public sealed class SourceWritersDuringJobTests : IAsyncLifetime
{
    private readonly string _archiveRoot = Directory.CreateTempSubdirectory("source-writers-archive-").FullName;
    private GatewayServer _server = null!;
    private MigrationClient _api = null!;

    // Read at 32 KiB/s after the limiter's first 64 KiB, the first object keeps the job busy for about 4 s after it
    // listed everything, while the test changes the source (concurrency 1: the objects move in key order).
    private static readonly byte[] Slow = RandomNumberGenerator.GetBytes(192 * 1024);
    private const int BandwidthLimit = 32 * 1024;

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Stores:archive:Kind"] = "local",
            ["Gateway:Stores:archive:Root"] = _archiveRoot,
        });
        _api = new MigrationClient(_server);
        await _api.CreateBucketAsync("local", "src");
        await _api.CreateBucketAsync("archive", "dst");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_archiveRoot, recursive: true);
    }

    private static object Job(string mode) => new
    {
        source = new { store = "local", bucket = "src" }, target = new { store = "archive", bucket = "dst" }, mode, concurrency = 1, bandwidthLimit = BandwidthLimit,
    };

    private async Task DeleteAsync(string store, string bucket, string key)
    {
        using var response = await _server.Client.DeleteAsync(MigrationClient.ObjectUrl(store, bucket, key));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private async Task<byte[]?> BodyOfAsync(string store, string bucket, string key)
    {
        using var response = await _api.GetAsync(store, bucket, key);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        Assert.True(response.IsSuccessStatusCode, $"GET {store}/{bucket}/{key}: {(int)response.StatusCode}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Follows the job's progress stream until a status line satisfies <paramref name="until"/>.</summary>
    private async Task WaitForAsync(string id, Func<JsonElement, bool> until)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var response = await _server.Client.GetAsync($"v1/migrations/{id}/events", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            if (until(JsonSerializer.Deserialize<JsonElement>(line))) return;
        }
        Assert.Fail("the job's stream ended first");
    }

    private static long Count(JsonElement status, string what) => status.GetProperty("objects").GetProperty(what).GetInt64();

    [Theory]
    [InlineData("copy")]
    [InlineData("move")]
    [InlineData("sync")]
    public async Task Objects_deleted_or_replaced_at_the_source_after_the_listing_do_not_fail_the_job(string mode)
    {
        await _api.PutAsync("local", "src", "0-slow.bin", Slow);
        foreach (var key in new[] { "gone/1.txt", "gone/2.txt", "kept.txt", "replaced.txt" })
            await _api.PutAsync("local", "src", key, System.Text.Encoding.UTF8.GetBytes("listed " + key));
        // A copy of gone/1.txt from an earlier run: a sync removes it once the source has no such object.
        await _api.PutAsync("archive", "dst", "gone/1.txt", "an earlier copy"u8.ToArray());
        var replacement = RandomNumberGenerator.GetBytes(3000);

        var id = await _api.StartAsync(Job(mode));
        await WaitForAsync(id, s => Count(s, "planned") == 5);
        await DeleteAsync("local", "src", "gone/1.txt");
        await DeleteAsync("local", "src", "gone/2.txt");
        await _api.PutAsync("local", "src", "replaced.txt", replacement);
        var end = await _api.WaitForEndAsync(id);

        Assert.True(end.GetProperty("state").GetString() == "completed", end.ToString());
        var status = await _api.AssertTotalsMatchItemsAsync(id);
        var report = await _api.ItemsAsync(id);
        // A sync's deletion at the target is an item of its own, under the target key.
        var deletions = report.Where(i => i.GetProperty("action").GetString() == "delete").Select(i => i.GetProperty("key").GetString()).ToList();
        var items = report.Where(i => i.GetProperty("action").GetString() != "delete").ToDictionary(i => i.GetProperty("key").GetString()!);
        string Outcome(string key) => items[key].GetProperty("state").GetString() + "/" + items[key].GetProperty("action").GetString();
        Assert.Equal("done/copy", Outcome("0-slow.bin"));
        Assert.Equal("done/copy", Outcome("kept.txt"));
        Assert.Equal("skipped/gone-at-source", Outcome("gone/1.txt"));
        Assert.Equal("skipped/gone-at-source", Outcome("gone/2.txt"));
        // The version there now, with its size (the listed one was another).
        Assert.Equal("done/copy", Outcome("replaced.txt"));
        Assert.Equal(replacement.Length, items["replaced.txt"].GetProperty("size").GetInt64());
        Assert.Equal((0L, 2L, 2L), (Count(status, "failed"), Count(status, "skipped"), status.GetProperty("goneAtSource").GetInt64()));
        Assert.Equal(replacement, await BodyOfAsync("archive", "dst", "replaced.txt"));
        Assert.Null(await BodyOfAsync("archive", "dst", "gone/2.txt"));
        if (mode == "sync")
        {
            Assert.Null(await BodyOfAsync("archive", "dst", "gone/1.txt"));
            Assert.Equal(1, status.GetProperty("deletedAtTarget").GetInt64());
            Assert.Equal(["gone/1.txt"], deletions);
        }
        else
        {
            Assert.Empty(deletions);
            Assert.Equal("an earlier copy"u8.ToArray(), await BodyOfAsync("archive", "dst", "gone/1.txt"));
        }
        if (mode == "move")
        {
            Assert.Empty(await _api.ListAsync("local", "src"));
            Assert.Equal(3, status.GetProperty("deletedAtSource").GetInt64());
            Assert.False(items["gone/1.txt"].GetProperty("sourceDeleted").GetBoolean());
        }
    }

    [Fact]
    public async Task Two_move_jobs_over_the_same_objects_both_complete_and_delete_each_source_object_once()
    {
        var objects = MigrationDataSet.Make(60, "");
        foreach (var o in objects) await _api.PutAsync("local", "src", o.Key, o.Body, o.ContentType, o.Metadata);
        var request = new { source = new { store = "local", bucket = "src" }, target = new { store = "archive", bucket = "dst" }, mode = "move", concurrency = 4 };

        var first = await _api.StartAsync(request);
        var second = await _api.StartAsync(request);
        var ends = await Task.WhenAll(_api.WaitForEndAsync(first), _api.WaitForEndAsync(second));

        Assert.All(ends, end => Assert.True(end.GetProperty("state").GetString() == "completed", end.ToString()));
        var statuses = new[] { await _api.AssertTotalsMatchItemsAsync(first), await _api.AssertTotalsMatchItemsAsync(second) };
        Assert.Equal(objects.Count, statuses.Sum(s => s.GetProperty("deletedAtSource").GetInt64()));
        Assert.Empty(await _api.ListAsync("local", "src"));
        foreach (var o in objects) await _api.AssertArrivedAsync("archive", "dst", o);
    }

    [Fact]
    public async Task Objects_deleted_while_a_job_is_paused_end_gone_at_source_and_a_sync_removes_their_target_copies()
    {
        await _api.PutAsync("local", "src", "0-slow.bin", Slow);
        foreach (var key in new[] { "gone/1.txt", "gone/2.txt", "kept.txt" })
            await _api.PutAsync("local", "src", key, System.Text.Encoding.UTF8.GetBytes("listed " + key));
        await _api.PutAsync("archive", "dst", "gone/1.txt", "an earlier copy"u8.ToArray());

        var id = await _api.StartAsync(Job("sync"));
        await WaitForAsync(id, s => Count(s, "planned") == 4);
        using (var paused = await _server.Client.PostAsync($"v1/migrations/{id}/pause", null)) Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        // Listed and planned, then deleted: the resumed run's listing no longer shows them.
        await DeleteAsync("local", "src", "gone/1.txt");
        await DeleteAsync("local", "src", "gone/2.txt");
        using (var resumed = await _server.Client.PostAsync($"v1/migrations/{id}/resume", null)) Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        var end = await _api.WaitForEndAsync(id);

        Assert.True(end.GetProperty("state").GetString() == "completed", end.ToString());
        var status = await _api.AssertTotalsMatchItemsAsync(id);
        Assert.Empty(await _api.ItemsAsync(id, "planned"));
        var items = (await _api.ItemsAsync(id)).Select(i => (Key: i.GetProperty("key").GetString()!, Outcome: i.GetProperty("state").GetString() + "/" + i.GetProperty("action").GetString()))
            .Where(i => i.Outcome != "done/delete").ToDictionary(i => i.Key, i => i.Outcome);
        Assert.Equal("skipped/gone-at-source", items["gone/1.txt"]);
        Assert.Equal("skipped/gone-at-source", items["gone/2.txt"]);
        Assert.Equal("done/copy", items["kept.txt"]);
        Assert.Null(await BodyOfAsync("archive", "dst", "gone/1.txt"));
        Assert.Equal(1, status.GetProperty("deletedAtTarget").GetInt64());
        Assert.Single(await _api.ItemsAsync(id, "done"), i => i.GetProperty("action").GetString() == "delete" && i.GetProperty("key").GetString() == "gone/1.txt");
        Assert.Equal(Slow, await BodyOfAsync("archive", "dst", "0-slow.bin"));
    }
}
