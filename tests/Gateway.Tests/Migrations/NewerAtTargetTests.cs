using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Testing;
using Gateway.Testing.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Gateway.Tests.Migrations;

/// <summary>
/// Objects a service writes at the target (through a migrating store "live": From "old", To "new", real local stores). A
/// job counts a differing target object as newer when it was written since the store fronted the pair and in or after the
/// second of the source's version. The gateway's clock is a <see cref="FakeTimeProvider"/> set an hour before the objects
/// are written (the store fronts the pair from the gateway's start), then moved two hours on (a job started after the
/// writes, as an operator's last sync before cutover is). The stores stamp the real time.
/// </summary>
public sealed class NewerAtTargetTests : IAsyncLifetime
{
    private readonly LiveStorePair _stores = new("newer");
    private readonly string _plainRoot = Directory.CreateTempSubdirectory("newer-plain-").FullName;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow - TimeSpan.FromHours(1));
    private GatewayServer _server = null!;
    private MigrationClient _api = null!;

    public async Task InitializeAsync()
    {
        var settings = _stores.Settings();
        // No migrating store in front of old -> plain.
        settings["Gateway:Stores:plain:Kind"] = "local";
        settings["Gateway:Stores:plain:Root"] = _plainRoot;
        // A retry's back-off runs on the gateway's clock, which stands still here: a transient failure fails the test at once.
        settings["Gateway:Migrations:ObjectRetries"] = "0";
        _server = await GatewayServer.StartAsync(settings, services: s => s.AddSingleton<TimeProvider>(_clock));
        _api = new MigrationClient(_server);
        foreach (var store in new[] { "old", "new", "plain" }) await _api.CreateBucketAsync(store, "bkt");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _stores.Dispose();
        Directory.Delete(_plainRoot, recursive: true);
    }

    /// <summary>
    /// At the source: "same", "changed" (v1), "missing". At the target, written through <paramref name="via"/> now: "same"
    /// (the same bytes), "changed" (v2, after the source's v1), "service-only". And "stale": written at the target first,
    /// then at the source in a later second, so the source holds the newer version.
    /// </summary>
    private async Task SeedAsync(string target, string via)
    {
        await _api.PutAsync("old", "bkt", "same", "same bytes"u8.ToArray());
        await _api.PutAsync("old", "bkt", "changed", "v1"u8.ToArray());
        await _api.PutAsync("old", "bkt", "missing", "only at the source"u8.ToArray());
        await _api.PutAsync(target, "bkt", "same", "same bytes"u8.ToArray());
        await _api.PutAsync(via, "bkt", "changed", "v2 from a service"u8.ToArray());
        await _api.PutAsync(via, "bkt", "service-only", "written by a service"u8.ToArray());
        await _api.PutAsync(via, "bkt", "stale", "older at the target"u8.ToArray());
        await NextSecondAsync();
        await _api.PutAsync("old", "bkt", "stale", "newer at the source"u8.ToArray());
    }

    /// <summary>
    /// Waits for the wall clock's next second: stores stamp whole seconds, and "stale" needs a source version a second later
    /// than its target one (the stores' clocks are real; only the gateway's is the fake one).
    /// </summary>
    private static async Task NextSecondAsync()
    {
        var second = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        while (DateTimeOffset.UtcNow.ToUnixTimeSeconds() == second) await Task.Delay(20);
    }

    private Task<(JsonElement Status, Dictionary<string, string> Items)> RunAsync(string target, bool dryRun) =>
        _api.RunCompletedAsync(new { source = new { store = "old", bucket = "bkt" }, target = new { store = target, bucket = "bkt" }, mode = "sync", dryRun });

    private async Task<string?> BodyAsync(string store, string key)
    {
        using var response = await _api.GetAsync(store, "bkt", key);
        return response.StatusCode == System.Net.HttpStatusCode.NotFound ? null : await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task A_check_names_a_services_writes_as_newer_whenever_it_started_and_a_target_older_than_its_source_as_a_difference()
    {
        await SeedAsync("new", via: "live");

        // Started before the writes: the services' writes are newer, named and counted; "missing" and "stale" (older at the
        // target than at the source) are differences.
        var (started, items) = await RunAsync("new", dryRun: true);
        Assert.Equal(new Dictionary<string, string>
        {
            ["same"] = "skipped/identical", ["changed"] = "skipped/newer-at-target", ["missing"] = "planned/copy",
            ["service-only"] = "skipped/newer-at-target", ["stale"] = "planned/copy",
        }, items);
        Assert.Equal(2, started.GetProperty("newerAtTarget").GetInt64());

        // Only those: the item listing filters by action.
        var id = started.GetProperty("id").GetString()!;
        var newer = await _server.Client.GetFromJsonAsync<JsonElement>($"v1/migrations/{id}/items?action=newer-at-target");
        Assert.Equal(["changed", "service-only"], newer.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("key").GetString()!).Order(StringComparer.Ordinal));

        // Started after them: the same answers (the job's start does not matter, the store's fronting does).
        _clock.Advance(TimeSpan.FromHours(2));
        var (later, again) = await RunAsync("new", dryRun: true);
        Assert.Equal(new Dictionary<string, string>
        {
            ["same"] = "skipped/identical", ["changed"] = "skipped/newer-at-target", ["missing"] = "planned/copy",
            ["service-only"] = "skipped/newer-at-target", ["stale"] = "planned/copy",
        }, again);
        Assert.Equal(2, later.GetProperty("newerAtTarget").GetInt64());

        // Neither check changed anything.
        Assert.Equal("v2 from a service", await BodyAsync("new", "changed"));
        Assert.Equal("written by a service", await BodyAsync("new", "service-only"));
        Assert.Equal("older at the target", await BodyAsync("new", "stale"));
        Assert.Null(await BodyAsync("new", "missing"));
    }

    [Fact]
    public async Task Without_a_migrating_store_in_front_an_object_written_after_the_check_started_is_a_difference()
    {
        // Nothing fronts old -> plain: no service writes its target legitimately, so neither time matters.
        await SeedAsync("plain", via: "plain");

        var (status, items) = await RunAsync("plain", dryRun: true);

        Assert.Equal(new Dictionary<string, string>
        {
            ["same"] = "skipped/identical", ["changed"] = "planned/copy", ["missing"] = "planned/copy",
            ["service-only"] = "planned/delete", ["stale"] = "planned/copy",
        }, items);
        Assert.Equal(0, status.GetProperty("newerAtTarget").GetInt64());
    }

    [Fact]
    public async Task A_sync_never_overwrites_or_deletes_a_services_writes_and_replaces_only_a_target_older_than_its_source()
    {
        await SeedAsync("new", via: "live");

        // Started before the service's writes: nothing of theirs is overwritten or deleted, and each is named; "stale",
        // whose source version is the newer one, is replaced.
        var (first, items) = await RunAsync("new", dryRun: false);
        Assert.Equal(new Dictionary<string, string>
        {
            ["same"] = "skipped/identical", ["changed"] = "skipped/newer-at-target", ["missing"] = "done/copy",
            ["service-only"] = "skipped/newer-at-target", ["stale"] = "done/copy",
        }, items);
        Assert.Equal((2, 0), (first.GetProperty("newerAtTarget").GetInt64(), first.GetProperty("deletedAtTarget").GetInt64()));
        Assert.Equal("v2 from a service", await BodyAsync("new", "changed"));
        Assert.Equal("written by a service", await BodyAsync("new", "service-only"));
        Assert.Equal("only at the source", await BodyAsync("new", "missing"));

        // A second sync, started after the writes (an operator's last pass before cutover): the service's writes stay.
        _clock.Advance(TimeSpan.FromHours(2));
        var (second, again) = await RunAsync("new", dryRun: false);
        Assert.Equal(new Dictionary<string, string>
        {
            ["same"] = "skipped/identical", ["changed"] = "skipped/newer-at-target", ["missing"] = "skipped/identical",
            ["service-only"] = "skipped/newer-at-target", ["stale"] = "skipped/identical",
        }, again);
        Assert.Equal((2, 0), (second.GetProperty("newerAtTarget").GetInt64(), second.GetProperty("deletedAtTarget").GetInt64()));
        Assert.Equal("v2 from a service", await BodyAsync("new", "changed"));
        Assert.Equal("written by a service", await BodyAsync("new", "service-only"));
        Assert.Equal("newer at the source", await BodyAsync("new", "stale"));
    }

    /// <summary>
    /// A job's own copies are never a service's writes: not a copy of a source version that changed again in the second of
    /// the copy (written at the source directly: store times have whole seconds, so the copy's time ties with the new
    /// version's), and not a copy whose source object was deleted at the source directly (the session-43 probe's D7).
    /// </summary>
    [Fact]
    public async Task A_jobs_own_copy_is_replaced_or_deleted_as_its_source_changes_even_in_the_second_it_was_made()
    {
        await _api.PutAsync("old", "bkt", "deleted-at-source", "copied, then deleted at the source"u8.ToArray());
        string? key = null;
        for (var attempt = 0; key is null; attempt++)
        {
            var candidate = $"same-second-{attempt}";
            await _api.PutAsync("old", "bkt", candidate, "v1"u8.ToArray());
            await NextSecondAsync();
            var (_, copied) = await RunAsync("new", dryRun: false);
            Assert.Equal("done/copy", copied[candidate]);
            await _api.PutAsync("old", "bkt", candidate, "v2, written at the source directly"u8.ToArray());
            // The case needs the copy and the new version in one second; on a slow machine the job may cross into the next.
            if (await LastModifiedAsync("new", candidate) == await LastModifiedAsync("old", candidate)) key = candidate;
            else Assert.True(attempt < 8, "the job's copy and the source's next version never fell in one second");
        }
        using (var deleted = await _server.Client.DeleteAsync(MigrationClient.ObjectUrl("old", "bkt", "deleted-at-source")))
            Assert.True(deleted.IsSuccessStatusCode, deleted.StatusCode.ToString());

        var (_, checkedItems) = await RunAsync("new", dryRun: true);
        Assert.Equal("planned/copy", checkedItems[key]);
        Assert.Equal("planned/delete", checkedItems["deleted-at-source"]);

        var (synced, items) = await RunAsync("new", dryRun: false);
        Assert.Equal("done/copy", items[key]);
        Assert.Equal("done/delete", items["deleted-at-source"]);
        Assert.Equal(0, synced.GetProperty("newerAtTarget").GetInt64());
        Assert.Equal("v2, written at the source directly", await BodyAsync("new", key));
        Assert.Null(await BodyAsync("new", "deleted-at-source"));

        // A service's write over a job's copy is the service's again: the next sync leaves it.
        await NextSecondAsync();
        await _api.PutAsync("live", "bkt", key, "v3 from a service"u8.ToArray());
        var (_, after) = await RunAsync("new", dryRun: false);
        Assert.Equal("skipped/newer-at-target", after[key]);
        Assert.Equal("v3 from a service", await BodyAsync("new", key));
    }

    /// <summary>
    /// A move deletes each source once its copy is verified, so what it carried is only at the target. A sync after it (an
    /// operator's last pass before cutover) took those objects for copies whose source had gone and deleted them: gone from
    /// both stores (the session-48 migration probe). They stay, and a check names no difference; a copy whose source was
    /// deleted at the source directly is still deleted.
    /// </summary>
    [Fact]
    public async Task A_sync_after_a_move_keeps_what_the_move_carried()
    {
        await _api.PutAsync("old", "bkt", "moved", "carried by the move"u8.ToArray());
        await _api.PutAsync("old", "bkt", "already-there", "the same bytes on both sides"u8.ToArray());
        await _api.PutAsync("new", "bkt", "already-there", "the same bytes on both sides"u8.ToArray());
        await _api.PutAsync("old", "bkt", "copied-then-deleted", "copied, then deleted at the source"u8.ToArray());
        var (_, copied) = await RunAsync("new", dryRun: false);
        Assert.Equal("done/copy", copied["copied-then-deleted"]);
        using (var deleted = await _server.Client.DeleteAsync(MigrationClient.ObjectUrl("old", "bkt", "copied-then-deleted")))
            Assert.True(deleted.IsSuccessStatusCode, deleted.StatusCode.ToString());
        await _api.PutAsync("old", "bkt", "moved-later", "moved by the second job"u8.ToArray());

        var (_, moved) = await _api.RunCompletedAsync(new { source = new { store = "old", bucket = "bkt" }, target = new { store = "new", bucket = "bkt" }, mode = "move" });
        Assert.Equal("done/copy", moved["moved-later"]);
        Assert.Null(await BodyAsync("old", "moved"));
        Assert.Null(await BodyAsync("old", "moved-later"));

        var (_, checkedItems) = await RunAsync("new", dryRun: true);
        Assert.Equal(["planned/delete"], checkedItems.Values);
        var (synced, items) = await RunAsync("new", dryRun: false);
        Assert.Equal(new Dictionary<string, string> { ["copied-then-deleted"] = "done/delete" }, items);
        Assert.Equal(1, synced.GetProperty("deletedAtTarget").GetInt64());
        Assert.Equal("carried by the move", await BodyAsync("live", "moved"));
        Assert.Equal("moved by the second job", await BodyAsync("live", "moved-later"));
        Assert.Equal("the same bytes on both sides", await BodyAsync("live", "already-there"));
        Assert.Null(await BodyAsync("live", "copied-then-deleted"));
    }

    /// <summary>
    /// On the local store (and S3's single-part uploads) an ETag is the content's MD5: a service that writes the bytes of
    /// a job's copy again, later, holds the copy's ETag, and is still the service's write (found by the session-46 review).
    /// </summary>
    [Fact]
    public async Task A_services_later_write_of_the_same_bytes_as_a_jobs_copy_is_the_services_and_stays()
    {
        await _api.PutAsync("old", "bkt", "k", "same bytes"u8.ToArray());
        var (_, first) = await RunAsync("new", dryRun: false);
        Assert.Equal("done/copy", first["k"]);
        // The service deletes it through the store (both sides), then writes it again with the same bytes (To only).
        using (var deleted = await _server.Client.DeleteAsync(MigrationClient.ObjectUrl("live", "bkt", "k")))
            Assert.True(deleted.IsSuccessStatusCode, deleted.StatusCode.ToString());
        await NextSecondAsync();
        await _api.PutAsync("live", "bkt", "k", "same bytes"u8.ToArray());

        var (_, checkedItems) = await RunAsync("new", dryRun: true);
        Assert.Equal("skipped/newer-at-target", checkedItems["k"]);
        var (_, synced) = await RunAsync("new", dryRun: false);
        Assert.Equal("skipped/newer-at-target", synced["k"]);
        Assert.Equal("same bytes", await BodyAsync("new", "k"));
    }

    private async Task<DateTimeOffset?> LastModifiedAsync(string store, string key)
    {
        using var head = await _server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, MigrationClient.ObjectUrl(store, "bkt", key)));
        Assert.True(head.IsSuccessStatusCode, $"HEAD {store}/{key}: {head.StatusCode}");
        return head.Content.Headers.LastModified;
    }

    [Fact]
    public async Task Migrate_check_names_newer_objects_without_failing_and_reports_a_target_older_than_its_source()
    {
        await SeedAsync("new", via: "live");

        var (code, stdout) = await CheckAsync();
        Assert.True(code == 2, $"exit {code}: {stdout}");
        var lines = stdout.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("completed: ", StringComparison.Ordinal) && l.EndsWith("; 2 newer at the target", StringComparison.Ordinal));
        Assert.Equal(
            ["missing or different at the target: missing", "missing or different at the target: stale",
                "newer at the target (a service's write): changed", "newer at the target (a service's write): service-only"],
            lines.Where(l => !l.StartsWith("completed: ", StringComparison.Ordinal)).SkipLast(1).Order(StringComparer.Ordinal));
        Assert.Equal("2 difference(s) found; 2 object(s) newer at the target, written by services (a sync leaves them)", lines[^1]);

        // The two real differences made good, a check after the writes: only the services' writes are named, and exit 0.
        await _api.PutAsync("new", "bkt", "missing", "only at the source"u8.ToArray());
        await _api.PutAsync("new", "bkt", "stale", "newer at the source"u8.ToArray());
        _clock.Advance(TimeSpan.FromHours(2));
        (code, stdout) = await CheckAsync();
        Assert.True(code == 0, $"exit {code}: {stdout}");
        lines = stdout.Split('\n');
        Assert.Equal(["newer at the target (a service's write): changed", "newer at the target (a service's write): service-only"],
            lines.Where(l => !l.StartsWith("completed: ", StringComparison.Ordinal)).SkipLast(1).Order(StringComparer.Ordinal));
        Assert.Equal("no differences found; 2 object(s) newer at the target, written by services (a sync leaves them)", lines[^1]);
    }

    private async Task<(int Code, string Stdout)> CheckAsync()
    {
        await using var cli = MigrateCliProcess.Start(["check", "old:bkt", "new:bkt", "--gateway", _server.BaseAddress.ToString()], _server.ApiKey!);
        var (code, stdout, stderr) = await cli.ExitAsync();
        Assert.DoesNotContain(_server.ApiKey!, stdout + stderr, StringComparison.Ordinal);
        return (code, stdout + (code is 0 or 2 ? "" : "\nstderr: " + stderr));
    }
}
