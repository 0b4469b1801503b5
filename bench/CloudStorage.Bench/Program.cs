using System.Security.Cryptography;
using System.Text;
using Amazon.S3.Model;
using Azure.Storage.Blobs;
using Gateway.Bench;
using Gateway.Bridges.AzureBlob;
using Gateway.Bridges.Gcs;
using Gateway.Bridges.S3;
using Gateway.Bench.CloudStorage;
using Google.Cloud.Storage.V1;

// bench/run storage-cloud: for s3, azure and gcs, the same object put and got through the gateway (a separate
// process) and directly with the same SDK (AWSSDK.S3, Azure.Storage.Blobs, Google.Cloud.Storage.V1) against the same emulator,
// interleaved round by round so both see the same load. Ratios are direct time / gateway time (medians). A direct put takes
// the bridge's path for the size (SamePathUploads); the SDK's plain one-call upload is timed beside it (*_vs_sdk_default).
// Usage: CloudStorage.Bench <backends-env-file> [size-MiB] [rounds] [kinds, e.g. s3,gcs]
var env = File.ReadAllLines(args[0]).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
var sizeMb = args.Length > 1 ? int.Parse(args[1]) : 256;
var rounds = args.Length > 2 ? int.Parse(args[2]) : 3;
var only = args.Length > 3 ? args[3].Split(',') : ["s3", "azure", "gcs"];
var size = (long)sizeMb * 1024 * 1024;
const int Buffer = 1024 * 1024;
string Need(string key) => env.TryGetValue(key, out var v) ? v : throw new InvalidOperationException($"{key} is missing from {args[0]}: did the backend start?");

var s3Options = new S3StoreOptions
{
    ServiceUrl = Need("S3_ENDPOINT"), ForcePathStyle = true, PlainPayloads = true,
    AccessKeyId = Need("S3_ACCESS_KEY"), SecretAccessKey = Need("S3_SECRET_KEY"),
};
var azureOptions = new AzureBlobStoreOptions
{
    ServiceUri = Need("AZURITE_BLOB_ENDPOINT"), AccountName = Need("AZURITE_ACCOUNT_NAME"), AccountKey = Need("AZURITE_ACCOUNT_KEY"),
};
var gcsEndpoint = Need("GCS_EMULATOR_ENDPOINT").TrimEnd('/');

var work = Directory.CreateTempSubdirectory("bench-cloud-").FullName;
try
{
    var source = Path.Combine(work, "source.bin");
    await WriteSourceAsync(source, size);
    // The gateway admits only known callers: one random admin key for this run, rate limits off.
    var apiKey = "gwk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    await using var gateway = await GatewayProcess.StartAsync(Measure.RepoRoot(), new Dictionary<string, string>
    {
        ["Gateway:DataDirectory"] = Path.Combine(work, "gateway"),
        ["Gateway:Security:ApiKeys:bench:Hash"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey))),
        ["Gateway:Security:ApiKeys:bench:Scopes:0"] = "admin",
        ["Gateway:Security:RateLimits:PermitLimit"] = "0",
        ["Gateway:Stores:s3:Kind"] = "s3",
        ["Gateway:Stores:s3:ServiceUrl"] = s3Options.ServiceUrl,
        ["Gateway:Stores:s3:ForcePathStyle"] = "true",
        ["Gateway:Stores:s3:PlainPayloads"] = "true",
        ["Gateway:Stores:s3:AccessKeyId"] = s3Options.AccessKeyId,
        ["Gateway:Stores:s3:SecretAccessKey"] = s3Options.SecretAccessKey,
        ["Gateway:Stores:azure:Kind"] = "azure-blob",
        ["Gateway:Stores:azure:ServiceUri"] = azureOptions.ServiceUri,
        ["Gateway:Stores:azure:AccountName"] = azureOptions.AccountName,
        ["Gateway:Stores:azure:AccountKey"] = azureOptions.AccountKey,
        ["Gateway:Stores:gcs:Kind"] = "gcs",
        ["Gateway:Stores:gcs:Endpoint"] = gcsEndpoint,
        ["Gateway:Stores:gcs:Anonymous"] = "true",
        // The direct calls have no deadline; a part or block slowed by a loaded machine must not fail the gateway's.
        ["Gateway:Stores:s3:Resilience:AttemptTimeout"] = "00:05:00",
        ["Gateway:Stores:s3:Resilience:TotalTimeout"] = "00:10:00",
        ["Gateway:Stores:azure:Resilience:AttemptTimeout"] = "00:05:00",
        ["Gateway:Stores:azure:Resilience:TotalTimeout"] = "00:10:00",
        ["Gateway:Stores:gcs:Resilience:AttemptTimeout"] = "00:05:00",
        ["Gateway:Stores:gcs:Resilience:TotalTimeout"] = "00:10:00",
    });
    using var http = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromMinutes(10) };
    if (gateway.ApiKey is not null) http.DefaultRequestHeaders.Add("X-Api-Key", gateway.ApiKey);
    http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);

    using var s3 = S3ObjectStore.CreateClient(s3Options);
    var azure = AzureBlobObjectStore.CreateClient(azureOptions).GetBlobContainerClient("bench-azure");
    var gcsOptions = new GcsStoreOptions { Endpoint = gcsEndpoint, Anonymous = true };
    var gcs = await GcsObjectStore.CreateClientAsync(gcsOptions);
    // The bridges alone, in this process and without the channel, HTTP or retries: where a gap sits between the
    // SDK and the bridge, or between the bridge and the caller.
    var bridges = new Dictionary<string, Gateway.Contracts.ObjectStorage.IObjectStore>
    {
        ["s3"] = new S3ObjectStore("bench", s3Options, Polly.ResiliencePipeline.Empty),
        ["azure"] = new AzureBlobObjectStore("bench", azureOptions, Polly.ResiliencePipeline.Empty),
        ["gcs"] = new GcsObjectStore("bench", gcsOptions, Polly.ResiliencePipeline.Empty),
    };

    // The emulator for GCS cannot create buckets; it makes one on first upload.
    foreach (var store in new[] { "s3", "azure" }.Where(only.Contains))
    {
        using var created = await http.PutAsync($"v1/stores/{store}/buckets/bench-{store}", null);
        if (created.StatusCode != System.Net.HttpStatusCode.Conflict) created.EnsureSuccessStatusCode(); // 409: left by an earlier run
    }

    // DirectPut takes the bridge's path for this size (SamePathUploads); SdkDefaultPut is the SDK's plain one-call upload.
    var kinds = new (string Kind, string Store, Func<Task> DirectPut, Func<Task> SdkDefaultPut, Func<Task> DirectGet)[]
    {
        ("s3", "s3",
            () => SamePathUploads.S3Async(s3, s3Options, "bench-s3", "direct.bin", source, size),
            async () =>
            {
                await using var file = Open(source);
                await s3.PutObjectAsync(new PutObjectRequest { BucketName = "bench-s3", Key = "direct-default.bin", InputStream = file, UseChunkEncoding = false, AutoCloseStream = false });
            },
            async () =>
            {
                using var response = await s3.GetObjectAsync("bench-s3", "direct.bin");
                await Drain(response.ResponseStream);
            }),
        ("azure", "azure",
            () => SamePathUploads.AzureAsync(azure, azureOptions, "direct.bin", source, size),
            async () =>
            {
                await using var file = Open(source);
                await azure.GetBlobClient("direct-default.bin").UploadAsync(file, overwrite: true);
            },
            async () =>
            {
                var response = await azure.GetBlobClient("direct.bin").DownloadStreamingAsync();
                await using var body = response.Value.Content;
                await Drain(body);
            }),
        ("gcs", "gcs",
            () => SamePathUploads.GcsAsync(gcs, gcsOptions, "bench-gcs", "direct.bin", source, size),
            async () =>
            {
                // The bridge's chunk size, and no post-upload hash check: the bridge makes none without a Content-MD5.
                await using var file = Open(source);
                await gcs.UploadObjectAsync("bench-gcs", "direct-default.bin", "application/octet-stream", file,
                    new UploadObjectOptions { ChunkSize = gcsOptions.ChunkBytes, UploadValidationMode = UploadValidationMode.None });
            },
            async () =>
            {
                await using var sink = new CountingSink();
                await gcs.DownloadObjectAsync("bench-gcs", "direct.bin", sink);
                if (sink.Count != size) throw new InvalidOperationException($"gcs direct get: {sink.Count} bytes, expected {size}");
            }),
    };

    foreach (var (kind, store, directPut, sdkDefaultPut, directGet) in kinds.Where(k => only.Contains(k.Kind)))
    {
        var url = $"v1/stores/{store}/buckets/bench-{store}/objects/gateway.bin";
        var cpu = new CpuMeter(gateway.Pid, CpuMeter.EmulatorPid(args[0], kind == "azure" ? "azurite" : kind));
        List<double> dPut = [], sPut = [], gPut = [], dGet = [], gGet = [], bPut = [], bGet = [];
        var bridge = bridges[kind];
        for (var round = 0; round < rounds; round++)
        {
            var (directPutSeconds, directPutCpu) = await cpu.MeasureAsync(directPut);
            var (defaultPutSeconds, defaultPutCpu) = await cpu.MeasureAsync(sdkDefaultPut);
            var (gatewayPutSeconds, gatewayPutCpu) = await cpu.MeasureAsync(async () =>
            {
                await using var file = Open(source);
                using var content = new StreamContent(file, Buffer);
                content.Headers.ContentLength = size;
                using var response = await http.PutAsync(url, content);
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{kind} put: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            });
            var (directGetSeconds, directGetCpu) = await cpu.MeasureAsync(directGet);
            var (gatewayGetSeconds, gatewayGetCpu) = await cpu.MeasureAsync(async () =>
            {
                using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{kind} get: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                var read = await Drain(await response.Content.ReadAsStreamAsync());
                if (read != size) throw new InvalidOperationException($"{kind} get: {read} bytes, expected {size}");
            });
            var (bridgePutSeconds, bridgePutCpu) = await cpu.MeasureAsync(async () =>
            {
                await using var file = new ForwardOnly(Open(source)); // as a request body: no seeking
                await bridge.PutObjectAsync($"bench-{store}", "bridge.bin", file, new Gateway.Contracts.ObjectStorage.PutObjectOptions { ContentLength = size }, CancellationToken.None);
            });
            var (bridgeGetSeconds, bridgeGetCpu) = await cpu.MeasureAsync(async () =>
            {
                await using var content = await bridge.GetObjectAsync($"bench-{store}", "bridge.bin", new Gateway.Contracts.ObjectStorage.GetObjectOptions(), CancellationToken.None);
                var read = await Drain(content.Body);
                if (read != size) throw new InvalidOperationException($"{kind} bridge get: {read} bytes, expected {size}");
            });
            dPut.Add(directPutSeconds); sPut.Add(defaultPutSeconds); gPut.Add(gatewayPutSeconds); dGet.Add(directGetSeconds); gGet.Add(gatewayGetSeconds);
            bPut.Add(bridgePutSeconds); bGet.Add(bridgeGetSeconds);
            Console.Error.WriteLine($"{kind} round {round + 1}: bridge alone put {bPut[^1]:0.00}s ({bridgePutCpu}) get {bGet[^1]:0.00}s ({bridgeGetCpu}; client = bridge)");
            Console.Error.WriteLine($"{kind} round {round + 1}: put direct {dPut[^1]:0.00}s ({directPutCpu}) gateway {gPut[^1]:0.00}s ({gatewayPutCpu}) sdk default {sPut[^1]:0.00}s ({defaultPutCpu})");
            Console.Error.WriteLine($"{kind} round {round + 1}: get direct {dGet[^1]:0.00}s ({directGetCpu}) gateway {gGet[^1]:0.00}s ({gatewayGetCpu})");
        }
        Measure.Metric($"{kind}_direct_put_mb_s", sizeMb / Measure.Median(dPut), "MB/s");
        Measure.Metric($"{kind}_gateway_put_mb_s", sizeMb / Measure.Median(gPut), "MB/s");
        Measure.Metric($"{kind}_direct_put_sdk_default_mb_s", sizeMb / Measure.Median(sPut), "MB/s");
        Measure.Metric($"{kind}_direct_get_mb_s", sizeMb / Measure.Median(dGet), "MB/s");
        Measure.Metric($"{kind}_gateway_get_mb_s", sizeMb / Measure.Median(gGet), "MB/s");
        Measure.Metric($"{kind}_bridge_put_mb_s", sizeMb / Measure.Median(bPut), "MB/s");
        Measure.Metric($"{kind}_bridge_get_mb_s", sizeMb / Measure.Median(bGet), "MB/s");
        Measure.Metric($"{kind}_gateway_peak_rss_mb_so_far", gateway.PeakRssMb(), "MB");
        Measure.Metric($"{kind}_put_ratio", Measure.Median(dPut) / Measure.Median(gPut), "ratio");
        Measure.Metric($"{kind}_get_ratio", Measure.Median(dGet) / Measure.Median(gGet), "ratio");
        Measure.Metric($"{kind}_put_ratio_vs_sdk_default", Measure.Median(sPut) / Measure.Median(gPut), "ratio");
    }
    Measure.Metric("gateway_peak_rss_mb", gateway.PeakRssMb(), "MB");
}
finally
{
    Directory.Delete(work, recursive: true);
}

static FileStream Open(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);

static async Task<long> Drain(Stream body)
{
    var buffer = new byte[Buffer];
    long total = 0;
    int n;
    while ((n = await body.ReadAsync(buffer)) > 0) total += n;
    return total;
}

static async Task WriteSourceAsync(string path, long size)
{
    var block = new byte[1024 * 1024];
    new Random(42).NextBytes(block);
    await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
    for (long written = 0; written < size; written += block.Length)
    {
        block[0] = (byte)(written >> 20); // no two blocks alike
        await file.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, size - written)));
    }
}

/// <summary>Counts and drops what the SDK's download writes (the direct side's equivalent of draining a body).</summary>
sealed class CountingSink : Stream
{
    public long Count { get; private set; }
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Count;
    public override long Position { get => Count; set => throw new NotSupportedException(); }
    public override void Write(byte[] buffer, int offset, int count) => Count += count;
    public override void Write(ReadOnlySpan<byte> buffer) => Count += buffer.Length;
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) { Count += count; return Task.CompletedTask; }
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) { Count += buffer.Length; return ValueTask.CompletedTask; }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>A file read as a request body arrives: forward only, length unknown to the reader.</summary>
sealed class ForwardOnly(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
}
