using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Gateway.Bench;

// bench/run s3: `aws s3 cp` of one file up and down, three ways in the same run, interleaved round by round:
// through the S3 front door to the local store, through the REST facade with curl, and with the AWS CLI straight
// against the s3rver emulator (from $BACKENDS_ENV, default .backends/env). Medians of up+down times are compared.
var sizeMb = args.Length > 0 ? int.Parse(args[0]) : 1024;
var rounds = args.Length > 1 ? int.Parse(args[1]) : 3;
var root = Measure.RepoRoot();
var env = ReadEnv(Environment.GetEnvironmentVariable("BACKENDS_ENV") is { Length: > 0 } p ? p : Path.Combine(root, ".backends", "env"));
string Need(string key) => env.TryGetValue(key, out var v) ? v
    : throw new InvalidOperationException($"{key} is missing from the backends env file: start s3rver with bash scripts/backends.sh start s3");

var work = Directory.CreateTempSubdirectory("bench-s3-").FullName;
try
{
    var source = Path.Combine(work, "source.bin");
    await WriteSourceAsync(source, (long)sizeMb * 1024 * 1024);
    var keyId = "AKBENCH" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
    var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
    var s3Port = GatewayProcess.FreePort();
    await using var gateway = await GatewayProcess.StartAsync(root, new Dictionary<string, string>
    {
        ["Gateway:DataDirectory"] = Path.Combine(work, "gateway"),
        ["Gateway:Stores:local:Root"] = Path.Combine(work, "gateway", "objects"),
        ["Gateway:S3:Enabled"] = "true",
        ["Gateway:S3:Port"] = s3Port.ToString(),
        ["Gateway:S3:Store"] = "local",
        [$"Gateway:S3:AccessKeys:{keyId}:Secret"] = secret,
        [$"Gateway:S3:AccessKeys:{keyId}:Scopes:0"] = "admin",
    });
    var frontDoor = $"http://127.0.0.1:{s3Port}";
    var s3rver = Need("S3_ENDPOINT");
    var bucket = "bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    var facadeObject = $"{gateway.Address}v1/stores/local/buckets/{bucket}/objects/big.bin";
    await RunAsync("curl", ["-sf", "-X", "PUT", "-H", $"X-Api-Key: {gateway.ApiKey}", $"{gateway.Address}v1/stores/local/buckets/{bucket}"]);
    await AwsAsync(s3rver, Need("S3_ACCESS_KEY"), Need("S3_SECRET_KEY"), "s3", "mb", $"s3://{bucket}");

    var door = new List<double>();
    var facade = new List<double>();
    var direct = new List<double>();
    var down = Path.Combine(work, "down.bin");
    // Each command is timed on its own with the CPU the server under it used (the gateway's from /proc, s3rver's likewise
    // when its process can be found) and the client's own, and printed per round: where a round's time goes.
    var s3rverPid = ListenerPid(new Uri(s3rver).Port);
    TimeSpan GatewayCpu() => gateway.CpuTime();
    TimeSpan S3rverCpu() => s3rverPid is { } pid ? ProcessCpu(pid) : TimeSpan.Zero;
    for (var round = 0; round < rounds; round++)
    {
        var split = new List<string>();
        async Task<double> Step(string name, Func<TimeSpan> serverCpu, Func<Task<TimeSpan>> command)
        {
            // BENCH_PERF_DIR: the last round's front-door commands are profiled (perf record on the gateway; start the
            // bench with DOTNET_PerfMapEnabled=1 so the gateway writes its JIT map).
            using var perf = round == rounds - 1 && name.StartsWith("door", StringComparison.Ordinal)
                && Environment.GetEnvironmentVariable("BENCH_PERF_DIR") is { Length: > 0 } perfDir
                ? await PerfRecorder.StartAsync(gateway.Pid, Path.Combine(perfDir, name.Replace(' ', '-') + ".data"))
                : null;
            var cpu0 = serverCpu();
            var watch = Stopwatch.StartNew();
            var clientCpu = await command();
            var seconds = watch.Elapsed.TotalSeconds;
            if (perf is not null) await perf.StopAsync();
            split.Add(string.Create(CultureInfo.InvariantCulture,
                $"{name} {seconds:0.00}s (server {(serverCpu() - cpu0).TotalSeconds:0.00} CPU-s, client {clientCpu.TotalSeconds:0.00})"));
            return seconds;
        }
        door.Add(await Step("door up", GatewayCpu, () => AwsAsync(frontDoor, keyId, secret, "s3", "cp", source, $"s3://{bucket}/big.bin", "--only-show-errors"))
            + await Step("door down", GatewayCpu, () => AwsAsync(frontDoor, keyId, secret, "s3", "cp", $"s3://{bucket}/big.bin", down, "--only-show-errors")));
        Check(down, source);
        facade.Add(await Step("facade up", GatewayCpu, () => RunAsync("curl", ["-sf", "-o", "/dev/null", "-X", "PUT", "-H", $"X-Api-Key: {gateway.ApiKey}", "--upload-file", source, facadeObject]))
            + await Step("facade down", GatewayCpu, () => RunAsync("curl", ["-sf", "-H", $"X-Api-Key: {gateway.ApiKey}", "-o", down, facadeObject])));
        Check(down, source);
        direct.Add(await Step("s3rver up", S3rverCpu, () => AwsAsync(s3rver, Need("S3_ACCESS_KEY"), Need("S3_SECRET_KEY"), "s3", "cp", source, $"s3://{bucket}/big.bin", "--only-show-errors"))
            + await Step("s3rver down", S3rverCpu, () => AwsAsync(s3rver, Need("S3_ACCESS_KEY"), Need("S3_SECRET_KEY"), "s3", "cp", $"s3://{bucket}/big.bin", down, "--only-show-errors")));
        Check(down, source);
        Console.Error.WriteLine($"round {round + 1}: front door {door[^1]:0.00}s facade {facade[^1]:0.00}s s3rver {direct[^1]:0.00}s");
        Console.Error.WriteLine($"  {string.Join("; ", split)}");
    }
    var doorS = Measure.Median(door);
    Measure.Metric("s3_frontdoor_mb_s", 2.0 * sizeMb / doorS, "MB/s");
    Measure.Metric("s3_frontdoor_vs_facade_ratio", Measure.Median(facade) / doorS, "ratio");
    Measure.Metric("s3_frontdoor_vs_s3rver_ratio", Measure.Median(direct) / doorS, "ratio");
    Measure.Metric("s3_frontdoor_peak_rss_mb", gateway.PeakRssMb(), "MB");
}
finally
{
    Directory.Delete(work, recursive: true);
}

static void Check(string path, string source)
{
    if (new FileInfo(path).Length != new FileInfo(source).Length) throw new InvalidOperationException("the downloaded file has the wrong size");
    File.Delete(path);
}

static Task<TimeSpan> AwsAsync(string endpoint, string keyId, string secret, params string[] args) => RunAsync("/usr/bin/aws",
    ["--endpoint-url", endpoint, .. args],
    new Dictionary<string, string?>
    {
        ["AWS_ACCESS_KEY_ID"] = keyId, ["AWS_SECRET_ACCESS_KEY"] = secret, ["AWS_DEFAULT_REGION"] = "us-east-1",
        ["AWS_CONFIG_FILE"] = "/dev/null", ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null", ["AWS_CA_BUNDLE"] = null,
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    });

/// <summary>Runs a command to its end; answers the CPU time it used (this process's reaped children's, before and after).</summary>
static async Task<TimeSpan> RunAsync(string program, string[] args, IDictionary<string, string?>? env = null)
{
    var children = ProcessCpu(Environment.ProcessId, children: true);
    var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
    foreach (var a in args) start.ArgumentList.Add(a);
    foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        if (v is null) start.Environment.Remove(k); else start.Environment[k] = v;
    using var process = Process.Start(start)!;
    var stderr = process.StandardError.ReadToEndAsync();
    _ = process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {args.FirstOrDefault()} failed ({process.ExitCode}): {await stderr}");
    return ProcessCpu(Environment.ProcessId, children: true) - children;
}

/// <summary>The process listening on a loopback TCP port (from `ss`), or null when it cannot be told.</summary>
static int? ListenerPid(int port)
{
    try
    {
        var start = new ProcessStartInfo("ss", ["-ltnpH", $"sport = :{port}"]) { RedirectStandardOutput = true };
        using var ss = Process.Start(start)!;
        var output = ss.StandardOutput.ReadToEnd();
        ss.WaitForExit();
        var at = output.IndexOf("pid=", StringComparison.Ordinal);
        if (at < 0) return null;
        var end = output.IndexOf(',', at);
        return int.Parse(output[(at + 4)..end], CultureInfo.InvariantCulture);
    }
    catch (Exception e) when (e is System.ComponentModel.Win32Exception or FormatException or ArgumentOutOfRangeException)
    {
        return null;
    }
}

/// <summary>User plus system CPU time of a process (or of its children it has waited for), from /proc/PID/stat.</summary>
static TimeSpan ProcessCpu(int pid, bool children = false)
{
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    var at = children ? 13 : 11; // utime, stime; cutime, cstime
    return TimeSpan.FromMilliseconds((long.Parse(fields[at], CultureInfo.InvariantCulture) + long.Parse(fields[at + 1], CultureInfo.InvariantCulture)) * 10);
}

static Dictionary<string, string> ReadEnv(string path)
{
    var values = new Dictionary<string, string>();
    if (!File.Exists(path)) return values;
    foreach (var line in File.ReadAllLines(path))
    {
        var eq = line.IndexOf('=');
        if (eq > 0) values[line[..eq].Trim()] = line[(eq + 1)..].Trim();
    }
    return values;
}

static async Task WriteSourceAsync(string path, long size)
{
    var block = new byte[1024 * 1024];
    new Random(42).NextBytes(block);
    await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
    for (long written = 0; written < size; written += block.Length)
    {
        block[0] = (byte)(written >> 20);
        await file.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, size - written)));
    }
}

/// <summary>perf record attached to a process, stopped with SIGINT so that it writes its data file whole.</summary>
sealed class PerfRecorder : IDisposable
{
    private readonly Process _perf;
    private PerfRecorder(Process perf) => _perf = perf;

    public static async Task<PerfRecorder> StartAsync(int pid, string output)
    {
        // perf's own messages go to the bench's stderr (not redirected: a full pipe nobody reads would stall it).
        var perf = Process.Start(new ProcessStartInfo("perf", ["record", "-e", "cpu-clock", "-F", "499", "-g", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", output]))!;
        // perf says nothing until it stops; give it a moment to attach to every thread before the command starts.
        await Task.Delay(TimeSpan.FromSeconds(1));
        return new PerfRecorder(perf);
    }

    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-INT", _perf.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await _perf.WaitForExitAsync();
    }

    /// <summary>Stops perf if the measured command failed before <see cref="StopAsync"/>, so no recorder outlives the bench.</summary>
    public void Dispose()
    {
        if (!_perf.HasExited) _perf.Kill();
        _perf.Dispose();
    }
}
