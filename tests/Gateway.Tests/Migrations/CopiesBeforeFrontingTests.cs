using Gateway.Migrations;
using Gateway.Testing;
using Gateway.Testing.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Gateway.Tests.Migrations;

/// <summary>
/// What a job finds at the target from before a migrating store fronted the pair (the usual order: a bulk copy while
/// services still write the source, then the store in front, then a last sync): an earlier copy of a version the source
/// has since replaced, and a copy of an object since deleted at the source. Both are compared as without the store, so the
/// last sync brings the update and removes the deleted object, whatever their times. The gateway's clock (a
/// <see cref="FakeTimeProvider"/>) is set an hour ahead, so the store fronts the pair after the objects are written.
/// </summary>
public sealed class CopiesBeforeFrontingTests : IAsyncLifetime
{
    private readonly LiveStorePair _stores = new("fronting");
    private readonly string _dataDir = Directory.CreateTempSubdirectory("fronting-data-").FullName;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow + TimeSpan.FromHours(1));
    private GatewayServer _server = null!;
    private MigrationClient _api = null!;

    public async Task InitializeAsync()
    {
        var settings = _stores.Settings();
        settings["Gateway:Migrations:ObjectRetries"] = "0";
        _server = await GatewayServer.StartAsync(settings, services: s => s.AddSingleton<TimeProvider>(_clock));
        _api = new MigrationClient(_server);
        foreach (var store in new[] { "old", "new" }) await _api.CreateBucketAsync(store, "bkt");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _stores.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task A_last_sync_replaces_a_stale_earlier_copy_and_deletes_a_copy_of_a_since_deleted_object()
    {
        // The source was updated while the bulk copy still carried the old bytes: the copy landed after the update.
        await _api.PutAsync("old", "bkt", "updated", "v2 at the source"u8.ToArray());
        await _api.PutAsync("new", "bkt", "updated", "v1 copied earlier"u8.ToArray());
        // Copied earlier, deleted at the source since.
        await _api.PutAsync("new", "bkt", "deleted-at-source", "copied earlier"u8.ToArray());
        var job = (bool dryRun) => new { source = new { store = "old", bucket = "bkt" }, target = new { store = "new", bucket = "bkt" }, mode = "sync", dryRun };

        var (check, planned) = await _api.RunCompletedAsync(job(true));
        Assert.Equal(new Dictionary<string, string> { ["updated"] = "planned/copy", ["deleted-at-source"] = "planned/delete" }, planned);
        Assert.Equal(0, check.GetProperty("newerAtTarget").GetInt64());

        var (sync, done) = await _api.RunCompletedAsync(job(false));
        Assert.Equal(new Dictionary<string, string> { ["updated"] = "done/copy", ["deleted-at-source"] = "done/delete" }, done);
        Assert.Equal((0, 1), (sync.GetProperty("newerAtTarget").GetInt64(), sync.GetProperty("deletedAtTarget").GetInt64()));
        using (var updated = await _api.GetAsync("live", "bkt", "updated")) Assert.Equal("v2 at the source", await updated.Content.ReadAsStringAsync());
        using (var gone = await _api.GetAsync("live", "bkt", "deleted-at-source")) Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public void The_time_a_pair_became_fronted_is_kept_from_its_first_sighting()
    {
        using var db = new MigrationDatabase(Path.Combine(_dataDir, "migrations.db"));
        var first = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        Assert.Equal(first, db.FrontedSince("old", "new", first));
        Assert.Equal(first, db.FrontedSince("OLD", "new", first + TimeSpan.FromDays(1)));
        using var reopened = new MigrationDatabase(Path.Combine(_dataDir, "migrations.db"));
        Assert.Equal(first, reopened.FrontedSince("old", "new", first + TimeSpan.FromDays(2)));
        Assert.Equal(first + TimeSpan.FromDays(3), reopened.FrontedSince("old", "other", first + TimeSpan.FromDays(3)));
    }
}
