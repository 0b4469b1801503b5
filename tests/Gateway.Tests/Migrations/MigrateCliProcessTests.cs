using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Testing;
using Gateway.Testing.Migrations;
using Xunit;

namespace Gateway.Tests.Migrations;

/// <summary>
/// Every <c>migrate</c> verb run as the built binary (a process, as a script runs it) against a real gateway on loopback
/// with real stores: two local stores and s3rver. Each run's exit code is the README's, what it did is checked through the
/// REST API (objects arrived, deleted, or untouched by a dry run), and no output ever holds the API key. Running jobs are
/// slowed with a bandwidth limit and followed through the job's state on the REST API, never by sleeping.
/// </summary>
public sealed class MigrateCliProcessTests : IAsyncLifetime
{
    private const int SlowObjectBytes = 32 * 1024;
    private const int QuickObjectBytes = 256;
    private readonly string _adminKey = "gwk_cli_admin_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
    private readonly string _readerKey = "gwk_cli_reader_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
    private readonly string _archiveRoot = Directory.CreateTempSubdirectory("migrate-cli-archive-").FullName;
    // s3rver reached through a forwarder the test can cut (store "s3-cut"): a target that stops answering mid-job.
    private readonly CuttableTcpForwarder _s3rver = new(new Uri(Backends.Require("S3_ENDPOINT", "s3")));
    private GatewayServer _server = null!;
    private HttpClient _http = null!;
    private MigrationClient _api = null!;
    private readonly List<string> _outputs = [];

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Security:ApiKeys:admin:Hash"] = Hash(_adminKey),
            ["Gateway:Security:ApiKeys:admin:Scopes:0"] = "admin",
            ["Gateway:Security:ApiKeys:reader:Hash"] = Hash(_readerKey),
            ["Gateway:Security:ApiKeys:reader:Scopes:0"] = "read:**",
            ["Gateway:Stores:archive:Kind"] = "local",
            ["Gateway:Stores:archive:Root"] = _archiveRoot,
            ["Gateway:Stores:s3:Kind"] = "s3",
            ["Gateway:Stores:s3:ServiceUrl"] = Backends.Require("S3_ENDPOINT", "s3"),
            ["Gateway:Stores:s3:ForcePathStyle"] = "true",
            ["Gateway:Stores:s3:AccessKeyId"] = Backends.Require("S3_ACCESS_KEY", "s3"),
            ["Gateway:Stores:s3:SecretAccessKey"] = Backends.Require("S3_SECRET_KEY", "s3"),
            // s3rver cannot decode aws-chunked bodies (docs/cloud-storage.md).
            ["Gateway:Stores:s3:PlainPayloads"] = "true",
            ["Gateway:Stores:s3-cut:Kind"] = "s3",
            ["Gateway:Stores:s3-cut:ServiceUrl"] = CuttableTcpForwarder.Through(Backends.Require("S3_ENDPOINT", "s3"), _s3rver.Port),
            ["Gateway:Stores:s3-cut:ForcePathStyle"] = "true",
            ["Gateway:Stores:s3-cut:AccessKeyId"] = Backends.Require("S3_ACCESS_KEY", "s3"),
            ["Gateway:Stores:s3-cut:SecretAccessKey"] = Backends.Require("S3_SECRET_KEY", "s3"),
            ["Gateway:Stores:s3-cut:PlainPayloads"] = "true",
            ["Gateway:Stores:s3-cut:Resilience:MaxRetryAttempts"] = "0",
            ["Gateway:Stores:s3-cut:Resilience:CircuitBreakerEnabled"] = "false",
            // The first object that fails transiently (no retry) interrupts the job.
            ["Gateway:Migrations:ObjectRetries"] = "0",
            ["Gateway:Migrations:InterruptAfterFailures"] = "1",
            // A store whose endpoint nothing listens on: the gateway answers 503 for it.
            ["Gateway:Stores:gone:Kind"] = "s3",
            ["Gateway:Stores:gone:ServiceUrl"] = $"http://127.0.0.1:{LoopbackPort.Free()}",
            ["Gateway:Stores:gone:ForcePathStyle"] = "true",
            ["Gateway:Stores:gone:AccessKeyId"] = "cli-test",
            ["Gateway:Stores:gone:SecretAccessKey"] = "cli-test-gone-secret",
            ["Gateway:Stores:gone:Resilience:MaxRetryAttempts"] = "0",
        });
        _http = new HttpClient { BaseAddress = _server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        _http.DefaultRequestHeaders.Add("X-Api-Key", _adminKey);
        _api = new MigrationClient(_http);
        await _api.CreateBucketAsync("local", "src");
        await _api.CreateBucketAsync("archive", "dst");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        await _s3rver.DisposeAsync();
        Directory.Delete(_archiveRoot, recursive: true);
        // Whatever a test asserted, no run printed a key.
        foreach (var output in _outputs)
        {
            Assert.DoesNotContain(_adminKey, output, StringComparison.Ordinal);
            Assert.DoesNotContain(_readerKey, output, StringComparison.Ordinal);
            Assert.DoesNotContain(Backends.Require("S3_SECRET_KEY", "s3"), output, StringComparison.Ordinal);
            Assert.DoesNotContain("cli-test-gone-secret", output, StringComparison.Ordinal);
        }
    }

    private static string Hash(string key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private string Gateway => _server.BaseAddress.ToString();

    private MigrateCliProcess Start(string[] args, string? key = null) => MigrateCliProcess.Start([.. args, "--gateway", Gateway], key ?? _adminKey);

    /// <summary>Runs <c>migrate</c> to its end; asserts its exit code and that it printed no stack trace and no key.</summary>
    private async Task<(string Stdout, string Stderr)> RunAsync(int exit, string[] args, string? key = null)
    {
        await using var cli = Start(args, key);
        return await EndedAsync(cli, exit);
    }

    private async Task<(string Stdout, string Stderr)> EndedAsync(MigrateCliProcess cli, int exit)
    {
        var (code, stdout, stderr) = await cli.ExitAsync();
        lock (_outputs) _outputs.Add(stdout + "\n" + stderr);
        Assert.True(code == exit, $"{cli.Command}: exit {code}, expected {exit}\nstdout: {stdout}\nstderr: {stderr}");
        Assert.DoesNotContain(_adminKey, stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(_readerKey, stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stdout + stderr, StringComparison.Ordinal);
        return (stdout, stderr);
    }

    private async Task<List<MigrationObject>> SeedAsync(string store, string bucket, int count, string prefix = "")
    {
        var objects = MigrationDataSet.Make(count, prefix);
        foreach (var o in objects) await _api.PutAsync(store, bucket, o.Key, o.Body, o.ContentType, o.Metadata);
        return objects;
    }

    private async Task<List<string>> KeysAsync(string store, string bucket, string? prefix = null) =>
        (await _api.ListAsync(store, bucket, prefix)).Select(o => o.GetProperty("key").GetString()!).Order(StringComparer.Ordinal).ToList();

    private async Task<int> JobCountAsync() => (await _http.GetFromJsonAsync<JsonElement>("v1/migrations?pageSize=1000")).GetProperty("migrations").GetArrayLength();

    /// <summary>The id a following transfer prints on stderr ("migration mig_...") before it follows the job.</summary>
    private static async Task<string> JobIdAsync(MigrateCliProcess cli) =>
        (await cli.StderrLineAsync(l => l.StartsWith("migration mig_", StringComparison.Ordinal), "naming the job"))["migration ".Length..];

    /// <summary>Follows the job's progress stream on the REST API until <paramref name="reached"/> holds (bounded: 60 s).</summary>
    private async Task<JsonElement> WaitForAsync(string id, Func<JsonElement, bool> reached, string what)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await _http.GetAsync($"v1/migrations/{id}/events", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        JsonElement status = default;
        try
        {
            while (await reader.ReadLineAsync(cts.Token) is { } line)
            {
                status = JsonSerializer.Deserialize<JsonElement>(line);
                if (reached(status)) return status;
            }
        }
        catch (OperationCanceledException) { }
        throw new Xunit.Sdk.XunitException($"migration {id} never reached {what}; last status: {status}");
    }

    private static string State(JsonElement status) => status.GetProperty("state").GetString()!;

    private static long Done(JsonElement status) => status.GetProperty("objects").GetProperty("done").GetInt64();

    /// <summary>A job verb's answer on stdout: the job's status as JSON.</summary>
    private static JsonElement Printed(string stdout) => JsonSerializer.Deserialize<JsonElement>(stdout);

    [Fact]
    public async Task Copy_copies_every_object_a_dry_run_changes_nothing_and_check_names_each_difference()
    {
        var objects = await SeedAsync("local", "src", 12);

        var (dryOut, dryErr) = await RunAsync(0, ["copy", "local:src", "archive:dst", "--dry-run"]);
        Assert.Contains("completed: objects 0/12 done", dryOut, StringComparison.Ordinal);
        Assert.Contains("migration mig_", dryErr, StringComparison.Ordinal);
        Assert.Empty(await KeysAsync("archive", "dst"));
        // A sync's dry run that would change something is no error (rclone's exits 0); only check turns it into exit 2.
        await RunAsync(0, ["sync", "local:src", "archive:dst", "--dry-run"]);
        Assert.Empty(await KeysAsync("archive", "dst"));
        var (missing, _) = await RunAsync(2, ["check", "local:src", "archive:dst"]);
        foreach (var o in objects) Assert.Contains($"missing or different at the target: {o.Key}\n", missing + "\n", StringComparison.Ordinal);
        Assert.EndsWith("12 difference(s) found", missing, StringComparison.Ordinal);
        Assert.Empty(await KeysAsync("archive", "dst"));

        var (copied, copyErr) = await RunAsync(0, ["copy", "local:src", "archive:dst", "--verify", "size", "--concurrency", "3"]);
        Assert.Contains("completed: objects 12/12 done", copied, StringComparison.Ordinal);
        foreach (var o in objects) await _api.AssertArrivedAsync("archive", "dst", o);
        var id = copyErr.Split('\n').Single(l => l.StartsWith("migration ", StringComparison.Ordinal))["migration ".Length..];
        var status = await _api.StatusAsync(id);
        Assert.Equal(("completed", "copy", "size", false), (State(status), status.GetProperty("mode").GetString(), status.GetProperty("verify").GetString(), status.GetProperty("dryRun").GetBoolean()));

        var (same, _) = await RunAsync(0, ["check", "local:src", "archive:dst"]);
        Assert.EndsWith("no differences found", same, StringComparison.Ordinal);

        // One object with other bytes, one gone, one only at the target: each is named, and the check changed none of them.
        await _api.PutAsync("archive", "dst", objects[1].Key, "other bytes"u8.ToArray());
        using (var deleted = await _http.DeleteAsync(MigrationClient.ObjectUrl("archive", "dst", objects[2].Key))) Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await _api.PutAsync("archive", "dst", "only-here.txt", "extra"u8.ToArray());
        var (differs, _) = await RunAsync(2, ["check", "local:src", "archive:dst"]);
        Assert.Equal(
            new[] { $"missing or different at the target: {objects[1].Key}", $"missing or different at the target: {objects[2].Key}", "only at the target: only-here.txt", "3 difference(s) found" }.Order(StringComparer.Ordinal),
            differs.Split('\n').Where(l => !l.StartsWith("completed:", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(objects.Select(o => o.Key).Where(k => k != objects[2].Key).Append("only-here.txt").Order(StringComparer.Ordinal), await KeysAsync("archive", "dst"));
        using (var other = await _api.GetAsync("archive", "dst", objects[1].Key)) Assert.Equal("other bytes", await other.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Sync_to_s3rver_deletes_what_the_source_lacks_only_without_dry_run_and_keeps_keys_outside_the_prefix()
    {
        var bucket = "cli-sync-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
        await _api.CreateBucketAsync("s3", bucket);
        var objects = await SeedAsync("local", "src", 8, prefix: "in/");
        await _api.PutAsync("local", "src", "outside.txt", "not in the prefix"u8.ToArray());
        foreach (var key in new[] { "mirror/stale-1", "mirror/stale 2.txt", "keep.txt" }) await _api.PutAsync("s3", bucket, key, "old"u8.ToArray());
        var before = await KeysAsync("s3", bucket);

        await RunAsync(0, ["sync", "local:src/in/", $"s3:{bucket}/mirror/", "--dry-run"]);
        Assert.Equal(before, await KeysAsync("s3", bucket));

        var (synced, _) = await RunAsync(0, ["sync", "local:src/in/", $"s3:{bucket}/mirror/"]);
        Assert.Contains("completed: objects 8/8 done", synced, StringComparison.Ordinal);
        Assert.Contains("deleted 2 at the target, 0 at the source", synced, StringComparison.Ordinal);
        Assert.Equal(objects.Select(o => "mirror/" + o.Key["in/".Length..]).Append("keep.txt").Order(StringComparer.Ordinal), await KeysAsync("s3", bucket));
        foreach (var o in objects) await _api.AssertArrivedAsync("s3", bucket, o with { Key = "mirror/" + o.Key["in/".Length..] });
        Assert.Contains("outside.txt", await KeysAsync("local", "src"));
        var (same, _) = await RunAsync(0, ["check", "local:src/in/", $"s3:{bucket}/mirror/"]);
        Assert.EndsWith("no differences found", same, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Move_deletes_each_source_object_once_copied_and_its_dry_run_deletes_nothing()
    {
        var objects = await SeedAsync("local", "src", 6);
        var keys = objects.Select(o => o.Key).Order(StringComparer.Ordinal).ToList();

        // --detach prints the job id alone on stdout and leaves the job to the gateway; the test waits for its end.
        var (detached, _) = await RunAsync(0, ["move", "local:src", "archive:dst", "--dry-run", "--detach"]);
        var id = detached.Trim();
        Assert.Matches("^mig_[0-9a-f]{20}$", id);
        var dryEnd = await WaitForAsync(id, s => State(s) is "completed" or "failed" or "interrupted" or "cancelled", "its end");
        Assert.Equal(("completed", true, 0L), (State(dryEnd), dryEnd.GetProperty("dryRun").GetBoolean(), dryEnd.GetProperty("deletedAtSource").GetInt64()));
        Assert.Equal(keys, await KeysAsync("local", "src"));
        Assert.Empty(await KeysAsync("archive", "dst"));

        var (moved, _) = await RunAsync(0, ["move", "local:src", "archive:dst"]);
        Assert.Contains("completed: objects 6/6 done", moved, StringComparison.Ordinal);
        Assert.Contains("deleted 0 at the target, 6 at the source", moved, StringComparison.Ordinal);
        Assert.Empty(await KeysAsync("local", "src"));
        foreach (var o in objects) await _api.AssertArrivedAsync("archive", "dst", o);
    }

    [Fact]
    public async Task List_prints_every_job_once_across_pages_of_the_api()
    {
        var ids = new List<string>();
        for (var i = 0; i <= global::Gateway.Migrations.Cli.MigrateCli.ListPageSize; i++)
            ids.Add(await _api.StartAsync(new { source = new { store = "local", bucket = "src" }, target = new { store = "archive", bucket = "dst" }, dryRun = true }));

        var (listed, _) = await RunAsync(0, ["list"]);
        var lines = listed.Split('\n');
        Assert.Equal(ids.Count + 1, lines.Length);
        // Newest first.
        Assert.Equal(Enumerable.Reverse(ids), lines.Skip(1).Select(l => l.Split('\t')[0]));
    }

    /// <summary>
    /// Six objects, one at a time, at <paramref name="bytesPerSecond"/>: in key order three of 256 bytes (at 1 KiB/s under
    /// a second together), then one of 32 KiB (some 32 s at 1 KiB/s, so the job is surely running when the test acts
    /// after the CLI's start-up), then two of 256 bytes. A run lets no burst through (session 45: the limiter's bucket
    /// held 64 KiB, which these tests leaned on), so a resumed run moves the large object again at the limit.
    /// </summary>
    private async Task<(MigrateCliProcess Cli, string Id, List<MigrationObject> Objects)> StartSlowCopyAsync(string target = "archive:dst", int bytesPerSecond = 1024)
    {
        var objects = MigrationDataSet.Make(6).OrderBy(o => o.Key, Contracts.ObjectStorage.Utf8KeyOrder.Instance)
            .Select((o, i) => o with { Body = RandomNumberGenerator.GetBytes(i == 3 ? SlowObjectBytes : QuickObjectBytes) }).ToList();
        foreach (var o in objects) await _api.PutAsync("local", "src", o.Key, o.Body, o.ContentType, o.Metadata);
        var cli = Start(["copy", "local:src", target, "--bwlimit", bytesPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture), "--concurrency", "1"]);
        var id = await JobIdAsync(cli);
        await WaitForAsync(id, s => State(s) == "running" && Done(s) >= 3, "running with 3 objects done");
        return (cli, id, objects);
    }

    [Fact]
    public async Task Status_and_list_name_a_running_job_pause_holds_it_and_resume_finishes_it_for_the_client_following_it()
    {
        var (copy, id, objects) = await StartSlowCopyAsync();
        await using var _ = copy;

        var (statusOut, _) = await RunAsync(0, ["status", id]);
        Assert.Equal((id, "running"), (Printed(statusOut).GetProperty("id").GetString(), State(Printed(statusOut))));
        // --gateway from $GATEWAY, and one tab-separated line per job for a script.
        await using (var list = MigrateCliProcess.Start(["list"], _adminKey, new Dictionary<string, string?> { ["GATEWAY"] = Gateway }))
        {
            var (listOut, _) = await EndedAsync(list, 0);
            Assert.Equal("id\tstate\tmode\tsource\ttarget\tobjects done\tfailed", listOut.Split('\n')[0]);
            Assert.Contains(listOut.Split('\n'), l => l.StartsWith($"{id}\trunning\tcopy\tlocal:src\tarchive:dst\t", StringComparison.Ordinal));
        }

        var (pauseOut, _) = await RunAsync(0, ["pause", id]);
        Assert.Equal("paused", State(Printed(pauseOut)));
        var paused = await _api.StatusAsync(id);
        Assert.Equal("paused", State(paused));
        // The following client waits through the pause: it printed the paused state and is still running.
        await copy.StderrLineAsync(l => l.StartsWith("paused:", StringComparison.Ordinal), "saying the job is paused");
        Assert.False(copy.HasExited, "the following client ended at a pause");
        // Pausing a paused job keeps it paused; the reader key may read jobs.
        Assert.Equal("paused", State(Printed((await RunAsync(0, ["pause", id])).Stdout)));
        var (readerList, _) = await RunAsync(0, ["list"], _readerKey);
        Assert.Contains(readerList.Split('\n'), l => l.StartsWith($"{id}\tpaused\t", StringComparison.Ordinal));
        Assert.Equal(Done(paused), Done(await _api.StatusAsync(id)));

        var (resumeOut, _) = await RunAsync(0, ["resume", id]);
        Assert.Contains(State(Printed(resumeOut)), new[] { "queued", "running", "completed" });
        var (followed, followErr) = await EndedAsync(copy, 0);
        Assert.Contains("completed: objects 6/6 done", followed, StringComparison.Ordinal);
        Assert.Contains("paused:", followErr, StringComparison.Ordinal);
        foreach (var o in objects) await _api.AssertArrivedAsync("archive", "dst", o);
        Assert.Equal("completed", State(Printed((await RunAsync(0, ["status", id])).Stdout)));
    }

    [Fact]
    public async Task Cancel_ends_a_running_job_the_following_client_exits_2_and_an_ended_job_refuses_every_transition()
    {
        var (copy, id, objects) = await StartSlowCopyAsync();
        await using var _ = copy;

        var (cancelOut, _) = await RunAsync(0, ["cancel", id]);
        Assert.Equal("cancelled", State(Printed(cancelOut)));
        var (followed, _) = await EndedAsync(copy, 2);
        Assert.Contains("cancelled: objects", followed, StringComparison.Ordinal);
        var end = await _api.StatusAsync(id);
        Assert.Equal("cancelled", State(end));
        // What it moved stays, whole; what it had not moved is not there, not even in part.
        var arrived = await KeysAsync("archive", "dst");
        Assert.Equal(Done(end), arrived.Count);
        Assert.InRange(arrived.Count, 3, objects.Count - 1);
        foreach (var o in objects.Where(o => arrived.Contains(o.Key))) await _api.AssertArrivedAsync("archive", "dst", o);

        foreach (var (verb, says) in new[] { ("cancel", "has already ended (cancelled)"), ("pause", "has already ended (cancelled)"), ("resume", "only a paused, failed or interrupted job can be resumed") })
        {
            var (stdout, stderr) = await RunAsync(1, [verb, id]);
            Assert.Contains("gateway answered 409", stderr, StringComparison.Ordinal);
            Assert.Contains(says, stderr, StringComparison.Ordinal);
            Assert.Equal("", stdout);
        }
        Assert.Equal("cancelled", State(await _api.StatusAsync(id)));
    }

    [Fact]
    public async Task A_job_interrupted_by_a_target_that_stops_answering_exits_5_and_migrate_resume_finishes_it()
    {
        var bucket = "cli-cut-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
        await _api.CreateBucketAsync("s3", bucket);
        // 8 KiB/s: the large fourth object streams for some 4 s, and its write meets the cut.
        var (copy, id, objects) = await StartSlowCopyAsync($"s3-cut:{bucket}", bytesPerSecond: 8 * 1024);
        await using var _ = copy;

        _s3rver.Cut();
        var (followed, followErr) = await EndedAsync(copy, 5);
        Assert.Contains("interrupted: objects", followed, StringComparison.Ordinal);
        Assert.Contains("the target store 's3-cut' does not answer", followed, StringComparison.Ordinal);
        Assert.Contains("migration " + id, followErr, StringComparison.Ordinal);
        Assert.Equal("interrupted", State(await _api.StatusAsync(id)));

        _s3rver.Heal();
        var (resumed, _) = await RunAsync(0, ["resume", id]);
        Assert.Equal("queued", State(Printed(resumed)));
        var end = await WaitForAsync(id, s => State(s) is "completed" or "failed" or "interrupted" or "cancelled", "its end");
        Assert.True(State(end) == "completed", end.ToString());
        foreach (var o in objects) await _api.AssertArrivedAsync("s3", bucket, o);
        var (same, _) = await RunAsync(0, ["check", "local:src", $"s3:{bucket}"]);
        Assert.EndsWith("no differences found", same, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_input_exits_with_its_documented_code_and_reason_and_creates_no_job()
    {
        await _api.PutAsync("local", "src", "a.txt", "a"u8.ToArray());
        var jobs = await JobCountAsync();
        (string[] Args, int Exit, string Says, string? Key)[] cases =
        [
            (["copy", "nosuch:src", "archive:dst"], 1, "gateway answered 400: source.store: no store named 'nosuch' is configured.", null),
            (["sync", "local:src", "local:src"], 1, "gateway answered 400: source and target are the same place.", null),
            (["check", "local:src/a", "local:src/a"], 1, "gateway answered 400: source and target are the same place.", null),
            (["move", "local:src/a/", "local:src/a/b/"], 1, "gateway answered 400: source and target prefixes overlap in the same bucket.", null),
            (["copy", "local:src", "archive:missing"], 1, "gateway answered 400: target.bucket: store 'archive' has no bucket 'missing'.", null),
            (["copy", "local:src", "archive:dst", "--verify", "sha1"], 1, "gateway answered 400: verify must be one of: checksum, size, none.", null),
            (["copy", "local:src", "archive:dst", "--concurrency", "0"], 1, "gateway answered 400: concurrency must be between 1 and 64.", null),
            (["copy", "local:src", "archive:dst", "--bwlimit", "10"], 1, "gateway answered 400: bandwidthLimit is 0 (no limit) or at least 1024 bytes per second.", null),
            (["copy", "src", "archive:dst"], 1, "'src' is not store:bucket[/prefix].", null),
            (["copy", "local:src"], 1, "Required argument missing for command: 'copy'.", null),
            (["copy", "local:src", "archive:dst", "--concurrency", "many"], 1, "Cannot parse argument 'many' for option '--concurrency'", null),
            (["copy", "local:src", "archive:dst"], 7, "gateway answered 403", _readerKey),
            (["copy", "local:src", "archive:dst"], 7, "gateway answered 401", "gwk_not_a_key"),
            (["copy", "local:src", "gone:dst"], 5, "gateway answered 503", null),
            (["status", "mig_nope"], 3, "gateway answered 404: No migration 'mig_nope'.", null),
            (["pause", "mig_nope"], 3, "gateway answered 404: No migration 'mig_nope'.", null),
            (["resume", "mig_nope"], 3, "gateway answered 404: No migration 'mig_nope'.", null),
            (["cancel", "mig_nope"], 3, "gateway answered 404: No migration 'mig_nope'.", null),
        ];
        // Independent runs: three at a time, so the class stays quick.
        var failures = new List<string>();
        using var slots = new SemaphoreSlim(3);
        await Task.WhenAll(cases.Select(async c =>
        {
            await slots.WaitAsync();
            try
            {
                await using var cli = Start(c.Args, c.Key);
                var (code, stdout, stderr) = await cli.ExitAsync();
                lock (_outputs) _outputs.Add(stdout + "\n" + stderr);
                lock (failures)
                {
                    if (code != c.Exit) failures.Add($"{cli.Command}: exit {code}, expected {c.Exit}; stderr: {stderr}");
                    if (!stderr.Contains(c.Says, StringComparison.Ordinal)) failures.Add($"{cli.Command}: stderr does not say '{c.Says}': {stderr}");
                    if (stderr.Contains("   at ", StringComparison.Ordinal)) failures.Add($"{cli.Command}: a stack trace: {stderr}");
                }
            }
            finally { slots.Release(); }
        }));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(jobs, await JobCountAsync());
        Assert.Empty(await KeysAsync("archive", "dst"));
        Assert.Equal(["a.txt"], await KeysAsync("local", "src"));
    }
}
