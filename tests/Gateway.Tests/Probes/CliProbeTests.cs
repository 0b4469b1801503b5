using Gateway.ChannelHosting;
using Gateway.Testing;
using Gateway.Tests.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>
/// What a script gets from the <c>migrate</c> and <c>audit verify</c> verbs for input that is wrong: a one-line reason
/// and the documented exit code, never a stack trace, and never a secret it was given. <c>migrate</c> runs as the
/// built binary (a process, as a script runs it); <c>audit verify</c> in process with its writers captured. A verb family
/// with a misspelt or missing verb (<c>audit</c>, <c>keys gen</c>) is refused with exit code 2 and never starts the gateway.
/// </summary>
public sealed class CliProbeTests : IAsyncLifetime
{
    private const string UrlSecret = "Url5ecretPassw0rd";
    private GatewayServer _server = null!;
    private WebApplication _notAGateway = null!;
    private string _notAGatewayUrl = null!;

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartAsync();
        // Another web server on the port a script was told is the gateway: it answers 200 with a page to everything.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _notAGateway = builder.Build();
        _notAGateway.Map("/{**rest}", () => Results.Content("<html>welcome</html>", "text/html"));
        await _notAGateway.StartAsync();
        _notAGatewayUrl = _notAGateway.Urls.First();
    }

    public async Task DisposeAsync()
    {
        await _notAGateway.DisposeAsync();
        await _server.DisposeAsync();
    }

    private string Gateway => _server.BaseAddress.ToString();

    /// <summary>(arguments after "migrate", API key to put in $GATEWAY_API_KEY or null for the server's, exit code, what stderr says).</summary>
    private IEnumerable<(string[] Args, string? Key, int Exit, string Says)> MigrateCases() =>
    [
        (["--gateway", "notaurl", "list"], null, 1, "must be an absolute http:// or https:// URL"),
        (["--gateway", "ftp://example.test/", "list"], null, 1, "must be an absolute http:// or https:// URL"),
        (["--gateway", "", "list"], null, 1, "must be an absolute http:// or https:// URL"),
        (["--gateway", "user:" + UrlSecret + "@host", "list"], null, 1, "must be an absolute http:// or https:// URL"),
        // Unreachable: temporary, and the password written into the URL is not printed.
        (["--gateway", $"http://user:{UrlSecret}@127.0.0.1:1", "list"], null, 5, "cannot reach the gateway at http://127.0.0.1:1"),
        // --gateway after the verb, as scripts write it.
        (["status", "mig_missing", "--gateway", Gateway], null, 3, "No migration 'mig_missing'"),
        (["list", "--gateway", Gateway], "bad\nkey", 1, "$GATEWAY_API_KEY is not an API key"),
        (["list", "--gateway", Gateway], "caf\u00e9", 1, "$GATEWAY_API_KEY is not an API key"),
        (["list", "--gateway", Gateway], "gwk_wrong", 7, "gateway answered 401"),
        // An empty id named the job list and answered it with exit 0.
        (["status", "", "--gateway", Gateway], null, 1, "the job id is empty"),
        (["cancel", " ", "--gateway", Gateway], null, 1, "the job id is empty"),
        // "." and ".." are path segments, not ids: "status ." printed the job list with exit 0, "pause ." was a 405 (exit 5).
        (["status", ".", "--gateway", Gateway], null, 1, "'.' is not a job id"),
        (["pause", ".", "--gateway", Gateway], null, 1, "'.' is not a job id"),
        (["resume", "..", "--gateway", Gateway], null, 1, "'..' is not a job id"),
        (["list", "--gateway", _notAGatewayUrl], null, 5, "is not a gateway's migrations API answer"),
        (["status", "mig_x", "--gateway", _notAGatewayUrl], null, 5, "is not a gateway's migrations API answer"),
        (["copy", "local:src", "local:dst", "--gateway", _notAGatewayUrl], null, 5, "is not a gateway's migrations API answer"),
    ];

    [Fact]
    public async Task Migrate_with_a_bad_gateway_url_key_id_or_answer_exits_with_its_code_and_a_reason()
    {
        var failures = new List<string>();
        foreach (var (args, key, exit, says) in MigrateCases())
        {
            var (code, stdout, stderr) = await RunMigrateAsync(args, key ?? _server.ApiKey!);
            var what = $"migrate {string.Join(' ', args)} (key {key ?? "valid"})";
            if (code != exit) failures.Add($"{what}: exit {code}, expected {exit}; stderr: {stderr}");
            if (!stderr.Contains(says, StringComparison.Ordinal)) failures.Add($"{what}: stderr does not say '{says}': {stderr}");
            if ((stdout + stderr).Contains("Unhandled exception", StringComparison.Ordinal) || (stdout + stderr).Contains("   at ", StringComparison.Ordinal))
                failures.Add($"{what}: a stack trace: {stderr}");
            if ((stdout + stderr).Contains(UrlSecret, StringComparison.Ordinal)) failures.Add($"{what}: printed the URL's password");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Audit_verify_refuses_options_it_does_not_know_or_that_are_doubled_and_reads_no_other_file_as_a_log()
    {
        using (var put = await _server.Client.PutAsync("v1/stores/local/buckets/cli-probe", null)) put.EnsureSuccessStatusCode();
        var db = Path.Combine(_server.DataDirectory, "audit.db");
        var pub = Path.Combine(_server.DataDirectory, "keys", "node.pub");
        var outside = Directory.CreateTempSubdirectory("gw-cli-probe-").FullName;
        try
        {
            var text = Path.Combine(outside, "notes.txt");
            await File.WriteAllTextAsync(text, "root:x:0:0:root:/root:/bin/bash\n");
            // A SQLite file that is not an audit log.
            var otherDb = Path.Combine(outside, "other.db");
            using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={otherDb};Pooling=False"))
            {
                c.Open();
                using var create = c.CreateCommand();
                create.CommandText = "CREATE TABLE notes (text TEXT)";
                create.ExecuteNonQuery();
            }
            var keysFile = Path.Combine(outside, "trusted.keys");
            await File.WriteAllTextAsync(keysFile, "# trusted\n" + (await File.ReadAllTextAsync(pub)).Trim() + "\nsecret-looking line\n");
            (string[] Args, int Exit, string Says, string? MustNotSay)[] cases =
            [
                // A misspelt --checkpoint was skipped: the log "verified" without the checkpoint.
                (["--db", db, "--host-key", pub, "--checkpont", "head.json"], 2, "Unrecognized command or argument '--checkpont'", null),
                (["--db", db, "--db", db, "--host-key", pub], 2, "Option '--db' expects a single argument but 2 were provided", null),
                (["--db", db, "--host-key", pub, "--checkpoint"], 2, "Required argument missing for option: '--checkpoint'", null),
                (["--db", db, "--host-key", "--checkpoint", "x.json"], 2, "--host-key needs a value", null),
                (["--db", text, "--host-key", pub], 1, "cannot be read as an audit log", null),
                (["--db", otherDb, "--host-key", pub], 1, "cannot be read as an audit log", null),
                (["--db", db, "--trusted-keys", keysFile], 2, $"line 3 of {keysFile} is not a CTP-96 public key", "secret-looking"),
                // The same key named twice is one trusted key.
                (["--db", db, "--host-key", pub, "--host-key", pub], 0, "audit log OK", null),
            ];
            var failures = new List<string>();
            foreach (var (args, exit, says, mustNotSay) in cases)
            {
                var output = new StringWriter();
                var error = new StringWriter();
                int? code;
                try { code = ChannelCli.TryRun(["audit", "verify", .. args], output, error); }
                catch (Exception e) { failures.Add($"audit verify {string.Join(' ', args)}: threw {e.GetType().Name}: {e.Message}"); continue; }
                var all = output + "\n" + error;
                if (code != exit) failures.Add($"audit verify {string.Join(' ', args)}: exit {code}, expected {exit}: {all}");
                if (!all.Contains(says, StringComparison.Ordinal)) failures.Add($"audit verify {string.Join(' ', args)}: does not say '{says}': {all}");
                if (mustNotSay is not null && all.Contains(mustNotSay, StringComparison.Ordinal)) failures.Add($"audit verify {string.Join(' ', args)}: echoed '{mustNotSay}'");
            }
            var keys = new StringWriter();
            if (ChannelCli.TryRun(["keys", "generate", "--out", outside, "--nmae", "x"], keys, keys) != 2 || !keys.ToString().Contains("Unrecognized command or argument '--nmae'", StringComparison.Ordinal))
                failures.Add($"keys generate with a misspelt option: {keys}");
            if (File.Exists(Path.Combine(outside, "node.key"))) failures.Add("keys generate with a misspelt option still wrote a key");
            Assert.True(failures.Count == 0, string.Join("\n", failures));
        }
        finally { Directory.Delete(outside, recursive: true); }
    }

    [Fact]
    public async Task A_verb_family_without_a_known_verb_is_refused_and_starts_no_gateway() =>
        await AssertVerbsStartNoGatewayAsync(2, onStderr: true,
        [
            (["audit"], "'audit' needs a verb; usage: audit verify"), (["audit", "verfy", "--db", "x.db"], "'audit verfy' is not a verb"),
            (["keys"], "'keys' needs a verb; usage: keys generate"), (["keys", "gen"], "'keys gen' is not a verb"),
            (["store"], "'store' needs a verb; usage: store reindex"), (["store", "rebuild", "local"], "'store rebuild' is not a verb"),
        ]);

    [Fact]
    public async Task A_bare_word_that_is_no_verb_is_refused_and_starts_no_gateway() =>
        // A misspelt verb ("stor reindex local") was dropped by the server's command-line configuration: a gateway started.
        await AssertVerbsStartNoGatewayAsync(2, onStderr: true,
        [
            (["frobnicate"], "'frobnicate' is not a verb or a setting"), (["stor", "reindex", "local"], "'stor' is not a verb or a setting"),
            (["reindex", "local"], "'reindex' is not a verb or a setting"),
            (["--urls", "http://127.0.0.1:0", "verify"], "'verify' is not a verb or a setting"),
            (["Gateway:Role=gateway", "--urls=http://127.0.0.1:0", "serve"], "'serve' is not a verb or a setting"),
        ]);

    /// <summary>
    /// Found by a black-box probe (session 42): <c>store reindex STORE extra words</c> ran and exited 0 (the configuration
    /// binder dropped the words), and <c>keys generate --name ../evil</c> wrote outside <c>--out</c>. Both are exit 2 now,
    /// and nothing is written.
    /// </summary>
    [Fact]
    public void Store_reindex_with_a_bare_word_and_keys_generate_with_a_name_that_is_a_path_are_refused()
    {
        var work = Directory.CreateTempSubdirectory("cli-probe-").FullName;
        try
        {
            var root = Path.Combine(work, "root");
            Directory.CreateDirectory(root);
            var error = new StringWriter();
            Assert.Equal(2, global::Gateway.Storage.StoreCli.TryRun(["store", "reindex", "s", "extra", $"--Gateway:Stores:s:Kind=local", $"--Gateway:Stores:s:Root={root}"],
                TextWriter.Null, error));
            Assert.Contains("'extra' is not a setting", error.ToString(), StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(root));

            var keys = Path.Combine(work, "keys");
            foreach (var name in new[] { "../evil", "", ".hidden", "a/b" })
            {
                error = new StringWriter();
                Assert.Equal(2, ChannelCli.TryRun(["keys", "generate", "--out", keys, "--name", name], TextWriter.Null, error));
                Assert.Contains("--name is a file name", error.ToString(), StringComparison.Ordinal);
            }
            Assert.Equal(["root"], Directory.EnumerateFileSystemEntries(work).Select(Path.GetFileName));
            Assert.Equal(0, ChannelCli.TryRun(["keys", "generate", "--out", keys, "--name", "node-2.v1"], TextWriter.Null, TextWriter.Null));
            Assert.True(File.Exists(Path.Combine(keys, "node-2.v1.key")));
        }
        finally { Directory.Delete(work, recursive: true); }
    }

    [Fact]
    public async Task Help_and_version_print_and_exit_0_without_starting_a_gateway() =>
        await AssertVerbsStartNoGatewayAsync(0, onStderr: false,
        [
            (["--help"], "Gateway migrate copy|sync|move"), (["-h"], "Gateway store reindex STORE"), (["help"], "Gateway keys generate"),
            (["--version"], "1."), (["store", "--help"], "usage: store reindex STORE"), (["audit", "-h"], "usage: audit verify"),
            (["migrate", "copy", "--help"], "Gateway migrate copy <source> <target>"),
        ]);

    /// <summary>Runs each command line as the built binary and checks its exit code and words, and that no gateway started.</summary>
    private static async Task AssertVerbsStartNoGatewayAsync(int exit, bool onStderr, (string[] Args, string Says)[] cases)
    {
        var failures = new List<string>();
        var folder = Directory.CreateTempSubdirectory("gw-cli-verbs-").FullName;
        try
        {
            // Production: a gateway started by mistake fails for want of a key (a stack trace, "did not start") instead of serving.
            var environment = new Dictionary<string, string?> { ["DOTNET_ENVIRONMENT"] = "Production", ["ASPNETCORE_ENVIRONMENT"] = "Production" };
            foreach (var (args, says) in cases)
            {
                var (code, stdout, stderr) = await GatewayDll.RunAsync(args, environment, folder);
                var what = string.Join(' ', args);
                if (code != exit) failures.Add($"{what}: exit {code}, expected {exit}: {stderr}");
                if (!(onStderr ? stderr : stdout).Contains(says, StringComparison.Ordinal)) failures.Add($"{what}: does not say '{says}': {stdout}{stderr}");
                if ((stdout + stderr).Contains("   at ", StringComparison.Ordinal) || (stdout + stderr).Contains("did not start", StringComparison.Ordinal))
                    failures.Add($"{what}: went on to start the gateway: {stdout}{stderr}");
            }
            if (Directory.EnumerateFileSystemEntries(folder).Any()) failures.Add($"left files in the working directory: {string.Join(", ", Directory.EnumerateFileSystemEntries(folder))}");
        }
        finally { Directory.Delete(folder, recursive: true); }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static Task<(int Code, string Stdout, string Stderr)> RunMigrateAsync(string[] args, string apiKey) =>
        GatewayDll.RunAsync(["migrate", .. args], new Dictionary<string, string?> { ["GATEWAY_API_KEY"] = apiKey, ["GATEWAY"] = null });
}
