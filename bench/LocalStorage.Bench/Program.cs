using System.Globalization;
using Gateway.Bench;
using Gateway.Bench.LocalStorage;

// bench/run storage-local [size-MiB] [rounds] [listing bucket sizes] [small PUTs per round]: 1 GiB through the
// gateway's local store vs the same bytes copied file to file, interleaved round by round so both see the same machine
// load (medians are reported); then 4 KiB PUTs at 16 connections against the same files written directly
// (SmallPutBench); then one listing page of 1,000 from buckets of 100,000 and 1,000,000 objects (ListingBench).
// A size of 0 skips the transfer part, a listing list of 0 the listing part, a small-PUT count of 0 the small PUTs.
var sizeMb = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1024;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
var listSizes = (args.Length > 2 ? args[2] : "100000,1000000").Split(',')
    .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Where(n => n > 0).ToList();
var smallPuts = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 2000;
var work = Directory.CreateTempSubdirectory("bench-local-").FullName;
try
{
    if (sizeMb > 0) await TransferAsync(work, sizeMb, rounds);
    if (smallPuts > 0) await SmallPutBench.RunAsync(work, smallPuts, rounds);
    if (listSizes.Count > 0) await ListingBench.RunAsync(work, listSizes);
}
finally
{
    Directory.Delete(work, recursive: true);
}


static async Task TransferAsync(string work, int sizeMb, int rounds)
{
    const int Buffer = 1024 * 1024;
    var size = (long)sizeMb * 1024 * 1024;
    var source = Path.Combine(work, "source.bin");
    await WriteSourceAsync(source, size);
    // The paired runs of issue 15: observability off (the gateway measured below) and on (metrics, tracing sampled at
    // 10% with no exporter, JSON console logs at Information), side by side in the same rounds.
    await using var gateway = await GatewayProcess.StartAsync(Measure.RepoRoot(), new Dictionary<string, string>
    {
        ["Gateway:DataDirectory"] = Path.Combine(work, "gateway"),
        ["Gateway:Stores:local:Root"] = Path.Combine(work, "gateway", "objects"),
        ["Gateway:Observability:Metrics:Enabled"] = "false",
    });
    await using var observed = await GatewayProcess.StartAsync(Measure.RepoRoot(), new Dictionary<string, string>
    {
        ["Gateway:DataDirectory"] = Path.Combine(work, "observed"),
        ["Gateway:Stores:local:Root"] = Path.Combine(work, "observed", "objects"),
        ["Gateway:Observability:Metrics:Enabled"] = "true",
        ["Gateway:Observability:Tracing:Enabled"] = "true",
        ["Gateway:Observability:Tracing:SamplingRatio"] = "0.1",
        ["Gateway:Observability:Logs:Format"] = "json",
        ["Logging:LogLevel:Default"] = "Information",
    });
    using var http = Client(gateway);
    using var observedHttp = Client(observed);
    (await http.PutAsync("v1/stores/local/buckets/bench", null)).EnsureSuccessStatusCode();
    (await observedHttp.PutAsync("v1/stores/local/buckets/bench", null)).EnsureSuccessStatusCode();

    var direct = new List<double>();
    var put = new List<double>();
    var get = new List<double>();
    var observedPut = new List<double>();
    var observedGet = new List<double>();
    for (var round = 0; round < rounds; round++)
    {
        var copy = Path.Combine(work, "copy.bin");
        direct.Add(await Measure.SecondsAsync(async () =>
        {
            await using var from = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            await using var to = new FileStream(copy, FileMode.Create, FileAccess.Write, FileShare.None, 1);
            await from.CopyToAsync(to, Buffer);
        }));
        File.Delete(copy);

        put.Add(await PutAsync(http, source, size));
        get.Add(await GetAsync(http, copy, size));
        observedPut.Add(await PutAsync(observedHttp, source, size));
        observedGet.Add(await GetAsync(observedHttp, copy, size));
        Console.Error.WriteLine($"round {round + 1}: direct {direct[^1]:0.00}s put {put[^1]:0.00}s get {get[^1]:0.00}s"
            + $" (observability on: put {observedPut[^1]:0.00}s get {observedGet[^1]:0.00}s)");
    }

    var directS = Measure.Median(direct);
    Measure.Metric("direct_copy_mb_s", sizeMb / directS, "MB/s");
    Measure.Metric("local_put_mb_s", sizeMb / Measure.Median(put), "MB/s");
    Measure.Metric("local_get_mb_s", sizeMb / Measure.Median(get), "MB/s");
    Measure.Metric("local_put_ratio", directS / Measure.Median(put), "ratio");
    Measure.Metric("local_get_ratio", directS / Measure.Median(get), "ratio");
    Measure.Metric("gateway_peak_rss_mb", gateway.PeakRssMb(), "MB");
    Measure.Metric("observed_put_mb_s", sizeMb / Measure.Median(observedPut), "MB/s");
    Measure.Metric("observed_get_mb_s", sizeMb / Measure.Median(observedGet), "MB/s");
    // Throughput with observability on over throughput with it off, put and get together (1.0 = no cost).
    Measure.Metric("observability_overhead_ratio",
        (Measure.Median(put) + Measure.Median(get)) / (Measure.Median(observedPut) + Measure.Median(observedGet)), "ratio");
}

static HttpClient Client(GatewayProcess gateway)
{
    var http = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromMinutes(10) };
    if (gateway.ApiKey is not null) http.DefaultRequestHeaders.Add("X-Api-Key", gateway.ApiKey);
    return http;
}

static Task<double> PutAsync(HttpClient http, string source, long size) => Measure.SecondsAsync(async () =>
{
    await using var from = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
    using var content = new StreamContent(from, 1024 * 1024);
    content.Headers.ContentLength = size;
    using var response = await http.PutAsync("v1/stores/local/buckets/bench/objects/big.bin", content);
    response.EnsureSuccessStatusCode();
});

static async Task<double> GetAsync(HttpClient http, string copy, long size)
{
    var seconds = await Measure.SecondsAsync(async () =>
    {
        using var response = await http.GetAsync("v1/stores/local/buckets/bench/objects/big.bin", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        await using var to = new FileStream(copy, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        await body.CopyToAsync(to, 1024 * 1024);
        if (to.Length != size) throw new InvalidOperationException($"downloaded {to.Length} bytes, expected {size}");
    });
    File.Delete(copy);
    return seconds;
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
