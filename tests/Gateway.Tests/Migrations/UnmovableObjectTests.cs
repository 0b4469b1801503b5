using System.Text.Json;
using Gateway.Testing;
using Gateway.Testing.Migrations;
using Xunit;

namespace Gateway.Tests.Migrations;

/// <summary>
/// An object the target store cannot hold (here a key that a longer target prefix makes longer than the 1,024 bytes a
/// store holds) fails with that reason before any call, in a dry run too: `migrate check` names it with the reason and
/// exits 2, where it used to plan a copy that every sync then failed (the session-43 migration probe, D5).
/// </summary>
public sealed class UnmovableObjectTests : IAsyncLifetime
{
    private const string TargetPrefix = "a-target-prefix-longer-than-the-source-one/";
    private static readonly string LongKey = "p/" + new string('k', 1000);
    private readonly string _sourceRoot = Directory.CreateTempSubdirectory("unmovable-src-").FullName;
    private readonly string _targetRoot = Directory.CreateTempSubdirectory("unmovable-dst-").FullName;
    private GatewayServer _server = null!;
    private MigrationClient _api = null!;

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Stores:src:Kind"] = "local",
            ["Gateway:Stores:src:Root"] = _sourceRoot,
            ["Gateway:Stores:dst:Kind"] = "local",
            ["Gateway:Stores:dst:Root"] = _targetRoot,
        });
        _api = new MigrationClient(_server);
        await _api.CreateBucketAsync("src", "bkt");
        await _api.CreateBucketAsync("dst", "bkt");
        await _api.PutAsync("src", "bkt", LongKey, "a key the target prefix makes too long"u8.ToArray());
        await _api.PutAsync("src", "bkt", "p/ok", "fits"u8.ToArray());
        await _api.PutAsync("dst", "bkt", TargetPrefix + "only-here", "only at the target"u8.ToArray());
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_sourceRoot, recursive: true);
        Directory.Delete(_targetRoot, recursive: true);
    }

    /// <summary>Runs a sync to its end (failed, with the long key) and returns its status and items.</summary>
    private async Task<(JsonElement Status, Dictionary<string, string> Items)> SyncAsync(bool dryRun)
    {
        var id = await _api.StartAsync(new
        {
            source = new { store = "src", bucket = "bkt", prefix = "p/" },
            target = new { store = "dst", bucket = "bkt", prefix = TargetPrefix },
            mode = "sync", dryRun,
        });
        await _api.WaitForEndAsync(id);
        var status = await _api.AssertTotalsMatchItemsAsync(id);
        var items = (await _api.ItemsAsync(id)).ToDictionary(i => i.GetProperty("key").GetString()!,
            i => i.GetProperty("state").GetString() + "/" + i.GetProperty("action").GetString());
        return (status, items);
    }

    [Fact]
    public async Task A_key_too_long_for_the_target_fails_with_its_reason_in_a_dry_run_and_a_sync_and_check_names_it()
    {
        var (planned, items) = await SyncAsync(dryRun: true);
        Assert.Equal("failed", planned.GetProperty("state").GetString());
        Assert.Equal(new Dictionary<string, string>
        {
            [LongKey] = "failed/copy", ["p/ok"] = "planned/copy", [TargetPrefix + "only-here"] = "planned/delete",
        }, items);
        var failed = Assert.Single(await _api.ItemsAsync(planned.GetProperty("id").GetString()!, "failed"));
        Assert.Equal("bad-request: the key at the target is 1043 bytes of UTF-8; store 'dst' holds keys of at most 1024", failed.GetProperty("error").GetString());

        await using (var cli = MigrateCliProcess.Start(["check", "src:bkt/p/", "dst:bkt/" + TargetPrefix, "--gateway", _server.BaseAddress.ToString()], _server.ApiKey!))
        {
            var (code, stdout, stderr) = await cli.ExitAsync();
            Assert.True(code == 2, $"exit {code}: {stdout}\nstderr: {stderr}");
            var lines = stdout.TrimEnd('\n').Split('\n');
            Assert.Contains($"failed, a sync would not move it (bad-request: the key at the target is 1043 bytes of UTF-8; store 'dst' holds keys of at most 1024): {LongKey}", lines);
            Assert.Contains("missing or different at the target: p/ok", lines);
            Assert.Contains("only at the target: " + TargetPrefix + "only-here", lines);
            Assert.Equal("2 difference(s) found; 1 object(s) failed, which a sync would not move", lines[^1]);
        }

        // The sync fails the same object with the same reason, moves the rest, and (an object failed) deletes nothing.
        var (synced, moved) = await SyncAsync(dryRun: false);
        Assert.Equal("failed", synced.GetProperty("state").GetString());
        Assert.Equal("failed/copy", moved[LongKey]);
        Assert.Equal("done/copy", moved["p/ok"]);
        using (var kept = await _api.GetAsync("dst", "bkt", TargetPrefix + "only-here"))
            Assert.Equal(System.Net.HttpStatusCode.OK, kept.StatusCode);
    }
}
