using System.Diagnostics;
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
    for (var round = 0; round < rounds; round++)
    {
        door.Add(await Measure.SecondsAsync(async () =>
        {
            await AwsAsync(frontDoor, keyId, secret, "s3", "cp", source, $"s3://{bucket}/big.bin", "--only-show-errors");
            await AwsAsync(frontDoor, keyId, secret, "s3", "cp", $"s3://{bucket}/big.bin", down, "--only-show-errors");
        }));
        Check(down, source);
        facade.Add(await Measure.SecondsAsync(async () =>
        {
            await RunAsync("curl", ["-sf", "-o", "/dev/null", "-X", "PUT", "-H", $"X-Api-Key: {gateway.ApiKey}", "--upload-file", source, facadeObject]);
            await RunAsync("curl", ["-sf", "-H", $"X-Api-Key: {gateway.ApiKey}", "-o", down, facadeObject]);
        }));
        Check(down, source);
        direct.Add(await Measure.SecondsAsync(async () =>
        {
            await AwsAsync(s3rver, Need("S3_ACCESS_KEY"), Need("S3_SECRET_KEY"), "s3", "cp", source, $"s3://{bucket}/big.bin", "--only-show-errors");
            await AwsAsync(s3rver, Need("S3_ACCESS_KEY"), Need("S3_SECRET_KEY"), "s3", "cp", $"s3://{bucket}/big.bin", down, "--only-show-errors");
        }));
        Check(down, source);
        Console.Error.WriteLine($"round {round + 1}: front door {door[^1]:0.00}s facade {facade[^1]:0.00}s s3rver {direct[^1]:0.00}s");
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

static Task AwsAsync(string endpoint, string keyId, string secret, params string[] args) => RunAsync("/usr/bin/aws",
    ["--endpoint-url", endpoint, .. args],
    new Dictionary<string, string?>
    {
        ["AWS_ACCESS_KEY_ID"] = keyId, ["AWS_SECRET_ACCESS_KEY"] = secret, ["AWS_DEFAULT_REGION"] = "us-east-1",
        ["AWS_CONFIG_FILE"] = "/dev/null", ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null", ["AWS_CA_BUNDLE"] = null,
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    });

static async Task RunAsync(string program, string[] args, IDictionary<string, string?>? env = null)
{
    var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
    foreach (var a in args) start.ArgumentList.Add(a);
    foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        if (v is null) start.Environment.Remove(k); else start.Environment[k] = v;
    using var process = Process.Start(start)!;
    var stderr = process.StandardError.ReadToEndAsync();
    _ = process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {args.FirstOrDefault()} failed ({process.ExitCode}): {await stderr}");
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
