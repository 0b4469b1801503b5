using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Testing;
using Gateway.Testing.Migrations;
using Xunit;

namespace Gateway.Tests.Migrations;

/// <summary>
/// While "live" fronts "old" (From) and "new" (To), the only job that may write or delete in either is old into new keeping
/// bucket and prefix. A job from a third store ("third", a local store too) into new was taken (session-48 probe): its
/// copies passed for services' writes, a sync from old kept them, a check found no difference and after the cutover live
/// served a stale object and one that never was in old.
/// </summary>
public sealed class FrontedPairJobsTests : IAsyncLifetime
{
    private readonly LiveStorePair _stores = new("fronted-jobs");
    private readonly string _thirdRoot = Directory.CreateTempSubdirectory("fronted-jobs-third-").FullName;
    private readonly string _data = Directory.CreateTempSubdirectory("fronted-jobs-gateway-").FullName;
    private GatewayServer _server = null!;
    private MigrationClient _api = null!;

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartAsync(Settings(fronted: true), dataDirectory: _data);
        _api = new MigrationClient(_server);
        foreach (var store in new[] { "old", "new", "third" }) await _api.CreateBucketAsync(store, "bkt");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _stores.Dispose();
        Directory.Delete(_thirdRoot, recursive: true);
        Directory.Delete(_data, recursive: true);
    }

    private Dictionary<string, string?> Settings(bool fronted)
    {
        var settings = _stores.Settings();
        settings["Gateway:Stores:third:Kind"] = "local";
        settings["Gateway:Stores:third:Root"] = _thirdRoot;
        if (fronted) return settings;
        foreach (var key in settings.Keys.Where(k => k.StartsWith("Gateway:Stores:live:", StringComparison.Ordinal)).ToList()) settings.Remove(key);
        return settings;
    }

    private async Task RestartAsync(bool fronted)
    {
        await _server.DisposeAsync();
        _server = await GatewayServer.StartAsync(Settings(fronted), dataDirectory: _data);
        _api = new MigrationClient(_server);
    }

    private static object Job(string source, string target, string mode = "copy", string sourceBucket = "bkt", string targetBucket = "bkt",
        string? sourcePrefix = null, string? targetPrefix = null, bool dryRun = false) => new
        {
            source = new { store = source, bucket = sourceBucket, prefix = sourcePrefix },
            target = new { store = target, bucket = targetBucket, prefix = targetPrefix },
            mode,
            dryRun,
        };

    private async Task<List<string>> KeysAsync(string store, string bucket = "bkt") =>
        (await _api.ListAsync(store, bucket)).Select(o => o.GetProperty("key").GetString()!).Order(StringComparer.Ordinal).ToList();

    private async Task<string?> BodyAsync(string store, string key)
    {
        using var response = await _api.GetAsync(store, "bkt", key);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await response.Content.ReadAsStringAsync();
    }

    private async Task<int> JobCountAsync() =>
        (await _server.Client.GetFromJsonAsync<JsonElement>("v1/migrations")).GetProperty("migrations").GetArrayLength();

    private async Task AssertRefusedAsync(object job, string because)
    {
        using var response = await _server.Client.PostAsJsonAsync("v1/migrations", job);
        var problem = await ProblemAssert.Problem(response, HttpStatusCode.Conflict, "conflict");
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("Store 'live' fronts 'old' (From) and 'new' (To)", detail, StringComparison.Ordinal);
        Assert.Contains(because, detail, StringComparison.Ordinal);
    }

    /// <summary>The probe's case, on three local stores: refused, nothing made; old into new then cuts over to the right bytes.</summary>
    [Fact]
    public async Task A_job_from_a_third_store_into_To_is_refused_and_the_cutover_serves_From()
    {
        await _api.PutAsync("third", "bkt", "k1", "v1 stale"u8.ToArray());
        await _api.PutAsync("third", "bkt", "k2", "deleted long ago"u8.ToArray());
        await _api.PutAsync("old", "bkt", "k1", "v2 current"u8.ToArray());

        foreach (var mode in new[] { "copy", "sync", "move" })
            await AssertRefusedAsync(Job("third", "new", mode), "from 'third' into 'new'");
        Assert.Equal(0, await JobCountAsync());
        Assert.Empty(await KeysAsync("new"));
        Assert.Equal(["k1", "k2"], await KeysAsync("third"));

        // A dry run changes nothing, so it is still taken (a check between any two stores).
        var (check, _) = await _api.RunCompletedAsync(Job("third", "new", "sync", dryRun: true));
        Assert.Equal(2, check.GetProperty("objects").GetProperty("planned").GetInt32());
        Assert.Empty(await KeysAsync("new"));

        await _api.RunCompletedAsync(Job("old", "new"));
        using (var cut = await _server.Client.PostAsync("v1/stores/live/cutover", null)) Assert.Equal(HttpStatusCode.OK, cut.StatusCode);
        Assert.Equal("v2 current", await BodyAsync("live", "k1"));
        Assert.Null(await BodyAsync("live", "k2"));

        // Cut over, live is plain new: a job from elsewhere into it is an ordinary job again.
        await _api.RunCompletedAsync(Job("third", "new", targetPrefix: "from-third/"));
    }

    /// <summary>The CLI's verbs go through the same endpoint: the refusal is printed with its reason, exit 1 (refused input).</summary>
    [Fact]
    public async Task The_cli_prints_the_refusal_and_exits_1()
    {
        await _api.PutAsync("third", "bkt", "k1", "v1 stale"u8.ToArray());
        await using var cli = MigrateCliProcess.Start(["copy", "third:bkt", "new:bkt", "--gateway", _server.BaseAddress.ToString()], _server.ApiKey!);
        var (code, stdout, stderr) = await cli.ExitAsync();

        Assert.True(code == 1, $"exit {code}\nstdout: {stdout}\nstderr: {stderr}");
        Assert.Contains("gateway answered 409: Store 'live' fronts 'old' (From) and 'new' (To)", stderr, StringComparison.Ordinal);
        Assert.Equal(0, await JobCountAsync());
        Assert.Empty(await KeysAsync("new"));
    }

    /// <summary>
    /// The store fronts whole stores, every bucket of both: From into another bucket or prefix of To shows its objects to
    /// services there; anything into From changes what they read behind the store; a move out of either deletes what they see.
    /// </summary>
    [Theory]
    [InlineData("old", "new", "copy", "other", null, null, "keeping bucket and prefix")]
    [InlineData("old", "new", "copy", "bkt", "a/", "b/", "keeping bucket and prefix")]
    [InlineData("third", "old", "copy", "bkt", null, null, "into 'old'")]
    [InlineData("new", "old", "sync", "bkt", null, null, "into 'old'")]
    [InlineData("old", "third", "move", "bkt", null, null, "move out of 'old'")]
    [InlineData("new", "third", "move", "bkt", null, null, "move out of 'new'")]
    public async Task Any_other_job_that_writes_or_deletes_in_the_pair_is_refused_and_makes_nothing(string source, string target, string mode,
        string targetBucket, string? sourcePrefix, string? targetPrefix, string because)
    {
        await _api.PutAsync(source, "bkt", "a/k1", "one"u8.ToArray());
        if (targetBucket != "bkt") await _api.CreateBucketAsync(target, targetBucket);
        var before = await KeysAsync(target, targetBucket);

        await AssertRefusedAsync(Job(source, target, mode, targetBucket: targetBucket, sourcePrefix: sourcePrefix, targetPrefix: targetPrefix), because);

        Assert.Equal(0, await JobCountAsync());
        Assert.Equal(before, await KeysAsync(target, targetBucket));
        Assert.Equal(["a/k1"], await KeysAsync(source));
    }

    [Theory]
    [InlineData("copy")]
    [InlineData("sync")]
    [InlineData("move")]
    public async Task From_into_To_keeping_names_and_a_copy_out_of_the_pair_are_taken(string mode)
    {
        await _api.PutAsync("old", "bkt", "a/k1", "one"u8.ToArray());
        await _api.RunCompletedAsync(Job("old", "third"));
        await _api.RunCompletedAsync(Job("old", "new", mode, sourcePrefix: "a/", targetPrefix: "a/"));
        Assert.Equal("one", await BodyAsync("new", "a/k1"));
        Assert.Equal("one", await BodyAsync("live", "a/k1"));
    }

    /// <summary>
    /// A job made before the store fronted the pair, left to run on (queued or running at the start of a gateway that now
    /// has the store), fails at the start of its run without touching an object, and resuming it is refused.
    /// </summary>
    [Fact]
    public async Task A_job_made_before_the_pair_was_fronted_fails_at_its_next_run_and_cannot_be_resumed()
    {
        await RestartAsync(fronted: false);
        await _api.PutAsync("third", "bkt", "k1", Encoding.UTF8.GetBytes(new string('x', 64 * 1024)));
        var id = await _api.StartAsync(new
        {
            source = new { store = "third", bucket = "bkt" }, target = new { store = "new", bucket = "bkt" }, concurrency = 1, bandwidthLimit = 1024,
        });
        while ((await _api.StatusAsync(id)).GetProperty("state").GetString() != "running") await Task.Delay(20);

        await RestartAsync(fronted: true);
        var end = await _api.WaitForEndAsync(id);
        Assert.Equal("failed", end.GetProperty("state").GetString());
        Assert.Contains("Store 'live' fronts 'old' (From) and 'new' (To)", end.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Empty(await KeysAsync("new"));

        using var resumed = await _server.Client.PostAsync($"v1/migrations/{id}/resume", null);
        var problem = await ProblemAssert.Problem(resumed, HttpStatusCode.Conflict, "conflict");
        Assert.Contains("from 'third' into 'new'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("failed", (await _api.StatusAsync(id)).GetProperty("state").GetString());
    }
}
