using System.Security.Cryptography;
using Gateway.Bridges.Cloud.Tests.Gcs;
using Gateway.Testing;
using Gateway.Testing.Migrations;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.Migrations;

/// <summary>
/// Migration jobs whose source is the GCS bridge over the Firebase Storage emulator (through <see cref="GcsTestEndpoint"/>),
/// to the gateway's local store. Before the bridge built its ETags from generation and metageneration, every object failed
/// with PreconditionFailed: the SDK reported the listing's <c>etag</c> for a listed object and the HTTP ETag header for a
/// HEAD or GET of it, so the job's read pinned to the listed ETag never matched.
/// </summary>
public sealed class GcsMigrationTests : IAsyncLifetime
{
    private GcsTestEndpoint _endpoint = null!;
    private GatewayServer _server = null!;
    private MigrationClient _api = null!;

    public async Task InitializeAsync()
    {
        CloudBackends.EnsureAnswers("gcs", CloudBackends.GcsEndpoint + "/storage/v1/b/ready-check/o");
        _endpoint = await GcsTestEndpoint.StartAsync(CloudBackends.GcsEndpoint, new GcsApiFront(CloudBackends.GcsEndpoint, CloudBackends.GcsProject));
        _server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Stores:gcs:Kind"] = "gcs",
            ["Gateway:Stores:gcs:Endpoint"] = _endpoint.Url,
            ["Gateway:Stores:gcs:ProjectId"] = CloudBackends.GcsProject,
            ["Gateway:Stores:gcs:Anonymous"] = "true",
            // A changed source is no transient failure; no retry is waited for either way.
            ["Gateway:Migrations:ObjectRetries"] = "0",
        });
        _api = new MigrationClient(_server);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _endpoint.DisposeAsync();
    }

    private static string NewBucket() => "gmig-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    [Fact]
    public async Task Gcs_to_local_copies_hostile_keys_and_empty_objects_with_equal_bytes()
    {
        var (src, dst) = (NewBucket(), NewBucket());
        await _api.CreateBucketAsync("gcs", src);
        await _api.CreateBucketAsync("local", dst);
        // Spaces, '?', '#', '%', '+', unicode and emoji, "dir/", "a//b", a 901-byte key; every fifth body empty.
        var objects = MigrationDataSet.Make(25);
        Assert.Contains(objects, o => o.Body.Length == 0);
        foreach (var o in objects) await _api.PutAsync("gcs", src, o.Key, o.Body, o.ContentType, o.Metadata);

        var id = await _api.StartAsync(new { source = new { store = "gcs", bucket = src }, target = new { store = "local", bucket = dst }, concurrency = 4 });
        var end = await _api.WaitForEndAsync(id);

        Assert.True(end.GetProperty("state").GetString() == "completed", end.ToString());
        Assert.Equal(objects.Count, end.GetProperty("objects").GetProperty("done").GetInt64());
        await _api.AssertTotalsMatchItemsAsync(id);
        foreach (var o in objects) await _api.AssertArrivedAsync("local", dst, o);

        // The listed ETags are the ones a second job reads: nothing to do.
        var again = await _api.WaitForEndAsync(await _api.StartAsync(new { source = new { store = "gcs", bucket = src }, target = new { store = "local", bucket = dst } }));
        Assert.True(again.GetProperty("state").GetString() == "completed", again.ToString());
        Assert.Equal(objects.Count, again.GetProperty("objects").GetProperty("skipped").GetInt64());
    }

    [Fact]
    public async Task A_gcs_object_replaced_after_it_was_listed_arrives_as_it_is_now_and_the_others_too()
    {
        var (src, dst) = (NewBucket(), NewBucket());
        await _api.CreateBucketAsync("gcs", src);
        await _api.CreateBucketAsync("local", dst);
        var objects = MigrationDataSet.Make(6);
        foreach (var o in objects) await _api.PutAsync("gcs", src, o.Key, o.Body, o.ContentType, o.Metadata);
        const string changing = "changing.txt";
        await _api.PutAsync("gcs", src, changing, "as listed"u8.ToArray(), "text/plain");

        // The first request for the object after the job listed it (its bytes or its resource) finds it replaced.
        var path = "/o/" + Uri.EscapeDataString(changing);
        var replaced = 0;
        using var emulator = new HttpClient();
        _endpoint.BeforeForward = async (method, raw) =>
        {
            var end = raw.IndexOf('?') is >= 0 and var q ? q : raw.Length;
            if (method != "GET" || !raw[..end].EndsWith(path, StringComparison.Ordinal) || Interlocked.Exchange(ref replaced, 1) == 1) return;
            using var content = new ByteArrayContent("replaced meanwhile"u8.ToArray());
            using var put = await emulator.PostAsync(
                $"{CloudBackends.GcsEndpoint}/upload/storage/v1/b/{src}/o?uploadType=media&name={Uri.EscapeDataString(changing)}", content);
            put.EnsureSuccessStatusCode();
        };

        var id = await _api.StartAsync(new { source = new { store = "gcs", bucket = src }, target = new { store = "local", bucket = dst }, concurrency = 1 });
        var status = await _api.WaitForEndAsync(id);

        Assert.Equal(1, replaced);
        // The read pinned to the listed version is refused; the job looks again and moves the version there now (as rclone
        // copies the version it opens), its own size in the report.
        Assert.True(status.GetProperty("state").GetString() == "completed", status.ToString());
        Assert.Equal(objects.Count + 1, status.GetProperty("objects").GetProperty("done").GetInt64());
        await _api.AssertTotalsMatchItemsAsync(id);
        var item = Assert.Single(await _api.ItemsAsync(id, "done"), i => i.GetProperty("key").GetString() == changing);
        Assert.Equal("replaced meanwhile".Length, item.GetProperty("size").GetInt64());
        using (var now = await _api.GetAsync("local", dst, changing)) Assert.Equal("replaced meanwhile", await now.Content.ReadAsStringAsync());
        foreach (var o in objects) await _api.AssertArrivedAsync("local", dst, o);
    }

    [Fact]
    public async Task A_gcs_object_deleted_after_it_was_listed_is_gone_at_the_source_and_a_move_completes()
    {
        var (src, dst) = (NewBucket(), NewBucket());
        await _api.CreateBucketAsync("gcs", src);
        await _api.CreateBucketAsync("local", dst);
        var objects = MigrationDataSet.Make(6);
        foreach (var o in objects) await _api.PutAsync("gcs", src, o.Key, o.Body, o.ContentType, o.Metadata);
        const string vanishing = "vanishing.txt";
        await _api.PutAsync("gcs", src, vanishing, "as listed"u8.ToArray(), "text/plain");

        // The first request for the object after the job listed it finds it deleted.
        var path = "/o/" + Uri.EscapeDataString(vanishing);
        var deleted = 0;
        using var emulator = new HttpClient();
        _endpoint.BeforeForward = async (method, raw) =>
        {
            var end = raw.IndexOf('?') is >= 0 and var q ? q : raw.Length;
            if (method != "GET" || !raw[..end].EndsWith(path, StringComparison.Ordinal) || Interlocked.Exchange(ref deleted, 1) == 1) return;
            using var delete = await emulator.DeleteAsync($"{CloudBackends.GcsEndpoint}/storage/v1/b/{src}/o/{Uri.EscapeDataString(vanishing)}");
            delete.EnsureSuccessStatusCode();
        };

        var id = await _api.StartAsync(new { source = new { store = "gcs", bucket = src }, target = new { store = "local", bucket = dst }, mode = "move", concurrency = 1 });
        var status = await _api.WaitForEndAsync(id);

        Assert.Equal(1, deleted);
        Assert.True(status.GetProperty("state").GetString() == "completed", status.ToString());
        await _api.AssertTotalsMatchItemsAsync(id);
        var item = Assert.Single(await _api.ItemsAsync(id, "skipped"));
        Assert.Equal((vanishing, "gone-at-source"), (item.GetProperty("key").GetString(), item.GetProperty("action").GetString()));
        Assert.Equal((objects.Count, 1L), (status.GetProperty("deletedAtSource").GetInt64(), status.GetProperty("goneAtSource").GetInt64()));
        using (var absent = await _api.GetAsync("local", dst, vanishing)) Assert.Equal(System.Net.HttpStatusCode.NotFound, absent.StatusCode);
        foreach (var o in objects) await _api.AssertArrivedAsync("local", dst, o);
        Assert.Empty(await _api.ListAsync("gcs", src));
    }
}
