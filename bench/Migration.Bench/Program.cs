using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Azure.Storage;
using Azure.Storage.Blobs;
using Gateway.Bench;

// bench/run migration: one data set (2,000 objects of 4-64 KiB plus 4 of 64 MiB) in s3rver, moved to Azurite twice in
// one run: by a migration job of the gateway (a separate process) and by `rclone copy` (Debian's rclone), both at the
// same concurrency. The small objects and the large ones move as two steps each, so small-object rates are their own.
// Usage: Migration.Bench <backends-env-file> [--quick] [--concurrency N] [--small COUNT] [--large COUNT] [--warm-up COUNT]
// --warm-up moves COUNT more small objects (prefix warm/) through the gateway before the measured steps, so these time a
// gateway whose code the JIT has already optimised (as one in service has); the warm-up job's own CPU per object is printed.
// (--small and --large override the data set's counts, e.g. many small objects and no large one to profile the small step.)
var env = File.ReadAllLines(args[0]).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
string Need(string key) => env.TryGetValue(key, out var v) ? v : throw new InvalidOperationException($"{key} is missing from {args[0]}: did the backend start?");
var quick = args.Contains("--quick");
int? Count(string option) => Array.IndexOf(args, option) is var at and > 0 ? int.Parse(args[at + 1]) : null;
var smallCount = Count("--small") ?? (quick ? 300 : 2000);
var largeCount = Count("--large") ?? (quick ? 1 : 4);
var warmUpCount = Count("--warm-up") ?? 0;
var largeSize = (quick ? 16L : 64L) * 1024 * 1024;
var concurrency = Count("--concurrency") ?? 8;

var s3 = new AmazonS3Client(new BasicAWSCredentials(Need("S3_ACCESS_KEY"), Need("S3_SECRET_KEY")),
    new AmazonS3Config { ServiceURL = Need("S3_ENDPOINT"), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
var azure = new BlobServiceClient(new Uri(Need("AZURITE_BLOB_ENDPOINT")), new StorageSharedKeyCredential(Need("AZURITE_ACCOUNT_NAME"), Need("AZURITE_ACCOUNT_KEY")));
var run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
var (source, viaGateway, viaRclone) = ($"mig-src-{run}", $"mig-gw-{run}", $"mig-rc-{run}");
var work = Directory.CreateTempSubdirectory("bench-migration-").FullName;
try
{
    // The data set.
    await s3.PutBucketAsync(source);
    var sizes = Enumerable.Range(0, smallCount).Select(_ => RandomNumberGenerator.GetInt32(4 * 1024, 64 * 1024 + 1)).ToArray();
    await Parallel.ForEachAsync(Enumerable.Range(0, smallCount), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
    {
        using var body = new MemoryStream(RandomNumberGenerator.GetBytes(sizes[i]));
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = source, Key = $"small/{i:D5}.bin", InputStream = body, UseChunkEncoding = false }, ct);
    });
    await Parallel.ForEachAsync(Enumerable.Range(0, warmUpCount), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
    {
        using var body = new MemoryStream(RandomNumberGenerator.GetBytes(sizes[i % smallCount]));
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = source, Key = $"warm/{i:D5}.bin", InputStream = body, UseChunkEncoding = false }, ct);
    });
    var largeFile = Path.Combine(work, "large.bin");
    await using (var file = File.Create(largeFile))
    {
        var chunk = new byte[1024 * 1024];
        for (long written = 0; written < largeSize; written += chunk.Length) { RandomNumberGenerator.Fill(chunk); await file.WriteAsync(chunk); }
    }
    for (var i = 0; i < largeCount; i++)
    {
        await using var body = File.OpenRead(largeFile);
        await new Amazon.S3.Transfer.TransferUtility(s3).UploadAsync(new Amazon.S3.Transfer.TransferUtilityUploadRequest
        {
            BucketName = source, Key = $"large/{i}.bin", InputStream = body, PartSize = 16 * 1024 * 1024,
        });
    }
    var smallBytes = sizes.Sum(s => (long)s);
    var largeBytes = largeCount * largeSize;
    Console.Error.WriteLine($"data set: {smallCount} objects, {smallBytes / 1048576.0:0.0} MiB + {largeCount} x {largeSize / 1048576} MiB; concurrency {concurrency}; gateway {(Environment.GetEnvironmentVariable("BENCH_GATEWAY_DLL") is { Length: > 0 } dll ? dll : "the build output")}{(warmUpCount > 0 ? $"; measured after a warm-up job of {warmUpCount} objects" : "")}");
    await azure.CreateBlobContainerAsync(viaGateway);
    await azure.CreateBlobContainerAsync(viaRclone);

    // Through the gateway: a migration job per step, followed until it ends.
    double gatewaySmall, gatewayLarge, peakRss, gatewaySmallCpu, gatewayLargeCpu;
    await using (var gateway = await GatewayProcess.StartAsync(Measure.RepoRoot(), new Dictionary<string, string>
    {
        ["Gateway:DataDirectory"] = Path.Combine(work, "gateway"),
        ["Gateway:Stores:s3:Kind"] = "s3",
        ["Gateway:Stores:s3:ServiceUrl"] = Need("S3_ENDPOINT"),
        ["Gateway:Stores:s3:ForcePathStyle"] = "true",
        ["Gateway:Stores:s3:PlainPayloads"] = "true",
        ["Gateway:Stores:s3:AccessKeyId"] = Need("S3_ACCESS_KEY"),
        ["Gateway:Stores:s3:SecretAccessKey"] = Need("S3_SECRET_KEY"),
        ["Gateway:Stores:azure:Kind"] = "azure-blob",
        ["Gateway:Stores:azure:ServiceUri"] = Need("AZURITE_BLOB_ENDPOINT"),
        ["Gateway:Stores:azure:AccountName"] = Need("AZURITE_ACCOUNT_NAME"),
        ["Gateway:Stores:azure:AccountKey"] = Need("AZURITE_ACCOUNT_KEY"),
        ["Gateway:Stores:s3:Resilience:AttemptTimeout"] = "00:05:00",
        ["Gateway:Stores:s3:Resilience:TotalTimeout"] = "00:10:00",
        ["Gateway:Stores:azure:Resilience:AttemptTimeout"] = "00:05:00",
        ["Gateway:Stores:azure:Resilience:TotalTimeout"] = "00:10:00",
    }))
    {
        using var http = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromMinutes(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", gateway.ApiKey);
        if (warmUpCount > 0)
        {
            var warmUpCpu = gateway.CpuTime();
            var warmUpSeconds = await Measure.SecondsAsync(() => MigrateAsync(http, "warm/", warmUpCount));
            Console.Error.WriteLine($"warm-up job (fresh gateway): {warmUpCount} objects in {warmUpSeconds:0.00} s, {(gateway.CpuTime() - warmUpCpu).TotalMilliseconds / warmUpCount:0.00} ms of CPU per object");
        }
        var metricsBefore = await ScrapeAsync(http);
        var cpuBefore = gateway.CpuTime();
        var threadsBefore = gateway.CpuTimeByThread();
        gatewaySmall = await Measure.SecondsAsync(() => MigrateAsync(http, "small/", smallCount));
        gatewaySmallCpu = (gateway.CpuTime() - cpuBefore).TotalMilliseconds;
        // Where the small step's CPU went by thread (the JIT compiling in the background, the GC, the thread pool's work).
        var byThread = gateway.CpuTimeByThread().Select(t => (t.Key, Ms: (t.Value - threadsBefore.GetValueOrDefault(t.Key)).TotalMilliseconds))
            .Where(t => t.Ms > 0).OrderByDescending(t => t.Ms);
        Console.Error.WriteLine("gateway CPU in the small step by thread, ms per object: " + string.Join(", ", byThread.Select(t => $"{t.Key} {t.Ms / smallCount:0.00}")));
        PrintCalls("small step", await ScrapeAsync(http), metricsBefore, smallCount, gatewaySmall);
        var metricsBeforeLarge = await ScrapeAsync(http);
        var cpuBeforeLarge = gateway.CpuTime();
        gatewayLarge = largeCount == 0 ? 0 : await Measure.SecondsAsync(() => MigrateAsync(http, "large/", largeCount));
        gatewayLargeCpu = (gateway.CpuTime() - cpuBeforeLarge).TotalMilliseconds;
        if (largeCount > 0) PrintCalls("large step", await ScrapeAsync(http), metricsBeforeLarge, largeCount, gatewayLarge);
        peakRss = gateway.PeakRssMb();
    }

    // rclone copy, same concurrency (--transfers and --checkers), checking MD5s as it does by default.
    var rcloneSmallCpu = 0.0;
    var rcloneSmall = await Measure.SecondsAsync(async () => rcloneSmallCpu = (await RcloneAsync("copy", $"src:{source}/small", $"dst:{viaRclone}/small")).TotalMilliseconds);
    var rcloneLargeCpu = 0.0;
    var rcloneLarge = largeCount == 0 ? 0 : await Measure.SecondsAsync(async () => rcloneLargeCpu = (await RcloneAsync("copy", $"src:{source}/large", $"dst:{viaRclone}/large")).TotalMilliseconds);
    var gatewayCount = await CountAsync(viaGateway);
    var rcloneCount = await CountAsync(viaRclone);
    if (gatewayCount != smallCount + largeCount + warmUpCount || rcloneCount != smallCount + largeCount)
        throw new InvalidOperationException($"expected {smallCount + largeCount} objects at each target: the gateway left {gatewayCount - warmUpCount}, rclone {rcloneCount}");

    var bytes = smallBytes + largeBytes;
    var gatewayRate = bytes / (gatewaySmall + gatewayLarge);
    var rcloneRate = bytes / (rcloneSmall + rcloneLarge);
    Console.Error.WriteLine($"gateway: small {gatewaySmall:0.00} s, large {gatewayLarge:0.00} s; rclone: small {rcloneSmall:0.00} s, large {rcloneLarge:0.00} s");
    Measure.Metric("migration_vs_rclone_ratio", gatewayRate / rcloneRate, "x");
    Measure.Metric("migration_bytes_per_s", gatewayRate / 1048576, "MiB/s");
    Measure.Metric("rclone_bytes_per_s", rcloneRate / 1048576, "MiB/s");
    Measure.Metric("migration_small_objects_per_s", smallCount / gatewaySmall, "objects/s");
    Measure.Metric("rclone_small_objects_per_s", smallCount / rcloneSmall, "objects/s");
    // CPU per object depends far less on what else the machine runs than the rates do.
    Measure.Metric("migration_cpu_ms_per_small_object", gatewaySmallCpu / smallCount, "ms");
    Measure.Metric("rclone_cpu_ms_per_small_object", rcloneSmallCpu / smallCount, "ms");
    Measure.Metric("migration_large_mib_per_s", largeBytes / gatewayLarge / 1048576, "MiB/s");
    Measure.Metric("rclone_large_mib_per_s", largeBytes / rcloneLarge / 1048576, "MiB/s");
    // The large step's CPU per MiB moved, as steady across loads as the small step's per object.
    Measure.Metric("migration_cpu_ms_per_large_mib", gatewayLargeCpu / (largeBytes / 1048576.0), "ms");
    Measure.Metric("rclone_cpu_ms_per_large_mib", rcloneLargeCpu / (largeBytes / 1048576.0), "ms");
    Measure.Metric("migration_peak_rss_mb", peakRss, "MiB");
}
finally
{
    // Leave the shared emulators as they were.
    await RcloneAsync("purge", $"src:{source}").ContinueWith(_ => { });
    await RcloneAsync("purge", $"dst:{viaGateway}").ContinueWith(_ => { });
    await RcloneAsync("purge", $"dst:{viaRclone}").ContinueWith(_ => { });
    Directory.Delete(work, recursive: true);
}

async Task MigrateAsync(HttpClient http, string prefix, int expected)
{
    using var created = await http.PostAsJsonAsync("v1/migrations", new
    {
        source = new { store = "s3", bucket = source, prefix },
        target = new { store = "azure", bucket = viaGateway, prefix },
        concurrency,
    });
    var body = await created.Content.ReadFromJsonAsync<JsonElement>();
    if (!created.IsSuccessStatusCode) throw new InvalidOperationException($"POST /v1/migrations: {(int)created.StatusCode} {body}");
    var id = body.GetProperty("id").GetString();
    // Followed as the CLI follows a job: its progress stream (at most four lines a second, the last one when the job
    // ends), not a status poll, so the gateway's CPU in the step is the job's plus what a watching client costs.
    using var events = await http.GetAsync($"v1/migrations/{id}/events", HttpCompletionOption.ResponseHeadersRead);
    events.EnsureSuccessStatusCode();
    using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
    while (await reader.ReadLineAsync() is { } line)
    {
        var status = JsonDocument.Parse(line).RootElement;
        var state = status.GetProperty("state").GetString();
        if (state is "running" or "queued") continue;
        var done = status.GetProperty("objects").GetProperty("done").GetInt64();
        if (state != "completed" || done != expected)
        {
            var failed = await http.GetStringAsync($"v1/migrations/{id}/items?state=failed");
            throw new InvalidOperationException($"migration {id} ended {state} with {done} of {expected} objects: {status}; failed items: {failed}");
        }
        return;
    }
    throw new InvalidOperationException($"the progress stream of migration {id} ended before the job did");
}

// The gateway's own counters (Prometheus text): bridge calls by operation (count and summed duration), signed heads and
// audit appends, so a step's calls per object and the calls it kept in flight on average (summed call time over the
// step's wall time, Little's law) are measured, not assumed.
static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient http)
{
    var values = new Dictionary<string, double>(StringComparer.Ordinal);
    foreach (var line in (await http.GetStringAsync("metrics")).Split('\n'))
    {
        if (line.StartsWith('#') || !(line.StartsWith("gateway_bridge_call_duration_seconds_", StringComparison.Ordinal)
            || line.StartsWith("gateway_channel_head_sign_duration_seconds_count", StringComparison.Ordinal)
            || line.StartsWith("gateway_audit_append_duration_seconds_count", StringComparison.Ordinal))) continue;
        if (line.Contains("_bucket{", StringComparison.Ordinal)) continue;
        var space = line.LastIndexOf(' ');
        if (space < 0 || !double.TryParse(line[(space + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var v)) continue;
        var name = line[..space];
        // One series per operation (outcome and store folded together).
        var operation = System.Text.RegularExpressions.Regex.Match(name, "operation=\"([^\"]+)\"").Groups[1].Value;
        var key = name[..(name.IndexOf('{') is var brace and >= 0 ? brace : name.Length)] + (operation.Length > 0 ? " " + operation : "");
        values[key] = values.GetValueOrDefault(key) + v;
    }
    return values;
}

static void PrintCalls(string step, Dictionary<string, double> after, Dictionary<string, double> before, int objects, double seconds)
{
    double Delta(string key) => after.GetValueOrDefault(key) - before.GetValueOrDefault(key);
    var calls = after.Keys.Where(k => k.StartsWith("gateway_bridge_call_duration_seconds_count ", StringComparison.Ordinal))
        .Select(k => (Operation: k[(k.IndexOf(' ') + 1)..], Count: Delta(k), Sum: Delta("gateway_bridge_call_duration_seconds_sum " + k[(k.IndexOf(' ') + 1)..])))
        .Where(c => c.Count > 0).OrderByDescending(c => c.Count).ToList();
    Console.Error.WriteLine($"gateway {step}: bridge calls per object: " + string.Join(", ", calls.Select(c => $"{c.Operation} {c.Count / objects:0.###} (mean {c.Sum / c.Count * 1000:0.0} ms)"))
        + $"; calls in flight on average {calls.Sum(c => c.Sum) / seconds:0.0}; signed heads per object {Delta("gateway_channel_head_sign_duration_seconds_count") / objects:0.##}"
        + $"; audit appends per object {Delta("gateway_audit_append_duration_seconds_count") / objects:0.##}");
}

async Task<int> CountAsync(string container)
{
    var n = 0;
    await foreach (var _ in azure.GetBlobContainerClient(container).GetBlobsAsync()) n++;
    return n;
}

/// <summary>Runs rclone; returns the CPU time it used.</summary>
async Task<TimeSpan> RcloneAsync(params string[] rcloneArgs)
{
    var start = new ProcessStartInfo("rclone", ["--config", "/dev/null", "--transfers", concurrency.ToString(), "--checkers", concurrency.ToString(), .. rcloneArgs])
    {
        RedirectStandardError = true,
    };
    start.Environment["RCLONE_CONFIG_SRC_TYPE"] = "s3";
    start.Environment["RCLONE_CONFIG_SRC_PROVIDER"] = "Other";
    start.Environment["RCLONE_CONFIG_SRC_ENDPOINT"] = Need("S3_ENDPOINT");
    start.Environment["RCLONE_CONFIG_SRC_ACCESS_KEY_ID"] = Need("S3_ACCESS_KEY");
    start.Environment["RCLONE_CONFIG_SRC_SECRET_ACCESS_KEY"] = Need("S3_SECRET_KEY");
    start.Environment["RCLONE_CONFIG_SRC_FORCE_PATH_STYLE"] = "true";
    // Debian's rclone 1.60 reaches Azurite with use_emulator plus the endpoint (account and key override its defaults).
    start.Environment["RCLONE_CONFIG_DST_TYPE"] = "azureblob";
    start.Environment["RCLONE_CONFIG_DST_USE_EMULATOR"] = "true";
    start.Environment["RCLONE_CONFIG_DST_ENDPOINT"] = Need("AZURITE_BLOB_ENDPOINT");
    start.Environment["RCLONE_CONFIG_DST_ACCOUNT"] = Need("AZURITE_ACCOUNT_NAME");
    start.Environment["RCLONE_CONFIG_DST_KEY"] = Need("AZURITE_ACCOUNT_KEY");
    start.Environment.Remove("AWS_CA_BUNDLE"); // rclone refuses a custom CA bundle on its own transport
    var childrenBefore = ChildrenCpu();
    using var process = Process.Start(start)!;
    var errors = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0) throw new InvalidOperationException($"rclone {string.Join(' ', rcloneArgs)} exited {process.ExitCode}: {await errors}");
    return ChildrenCpu() - childrenBefore;
}

// CPU time of this process's children that have ended (cutime + cstime of /proc/self/stat, in 1/100 s on Linux).
static TimeSpan ChildrenCpu()
{
    var stat = File.ReadAllText("/proc/self/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return TimeSpan.FromMilliseconds((long.Parse(fields[13]) + long.Parse(fields[14])) * 10);
}
