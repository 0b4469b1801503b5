using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Gateway.Bridges.Local;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Bench.LocalStorage;

/// <summary>
/// local_list_page_ms_{n}: one page of 1,000 keys under a prefix, listed through the gateway (HTTP, channel,
/// witness) from a bucket of n objects. The buckets are written through the store layer (LocalObjectStore, the
/// same code a PUT ends in, index included) to keep the run short; the gateway then serves them from the same root.
/// Keys are p00/ .. p99/ then a 7-digit number, so every prefix holds n/100 keys.
/// </summary>
internal static class ListingBench
{
    private const int Prefixes = 100;
    private const int PageSize = 1000;
    private const int Samples = 30;
    private const int WarmUpPages = 300;

    /// <summary>Set to a folder to keep the populated buckets between runs (a million objects take minutes to write).</summary>
    public const string RootVariable = "BENCH_LOCAL_LISTING_ROOT";

    public static async Task RunAsync(string work, IReadOnlyList<int> sizes)
    {
        var root = Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } kept ? kept : Path.Combine(work, "listing", "objects");
        foreach (var size in sizes)
        {
            var done = Path.Combine(root, $"{Bucket(size)}.written");
            using (var store = new LocalObjectStore("bench", new LocalStoreOptions { Root = root }))
            {
                if (!File.Exists(done))
                {
                    await PopulateAsync(store, Bucket(size), size);
                    await File.WriteAllTextAsync(done, size.ToString(CultureInfo.InvariantCulture));
                }
                // The store layer alone (index query and row decoding), to tell it apart from the HTTP and channel cost.
                var storePages = await TimeStorePagesAsync(store, Bucket(size), size);
                Report($"local_list_page_store_ms_{Name(size)}", $"{size} objects, store layer", storePages);
            }

            await using var gateway = await GatewayProcess.StartAsync(Measure.RepoRoot(), new Dictionary<string, string>
            {
                ["Gateway:DataDirectory"] = Path.Combine(work, "listing"),
                ["Gateway:Stores:local:Root"] = root,
            });
            using var http = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromMinutes(5) };
            if (gateway.ApiKey is not null) http.DefaultRequestHeaders.Add("X-Api-Key", gateway.ApiKey);
            var tokens = await TokensAsync(http, Bucket(size));
            // A fresh gateway runs the page's code unoptimised for its first hundred-odd pages (tiered JIT): reported on its own.
            Report($"local_list_page_cold_ms_{Name(size)}", $"{size} objects, through a just-started gateway", await TimePagesAsync(http, Bucket(size), size, tokens));
            for (var i = 0; i < WarmUpPages; i++) await PageAsync(http, Url(Bucket(size)), tokens[i % tokens.Count]);
            Report($"local_list_page_ms_{Name(size)}", $"{size} objects, through the gateway after {WarmUpPages} pages", await TimePagesAsync(http, Bucket(size), size, tokens));
        }
    }

    private static void Report(string metric, string what, List<double> pages)
    {
        Console.Error.WriteLine($"{what}: page of {PageSize} with a prefix: median {Measure.Median(pages):0.00} ms, " +
            $"min {pages.Min():0.00}, max {pages.Max():0.00} over {pages.Count}");
        Measure.Metric(metric, Measure.Median(pages), "ms");
    }

    private static string Bucket(int size) => $"list-{size}";

    private static string Name(int size) =>
        size % 1_000_000 == 0 ? $"{size / 1_000_000}m" : size % 1000 == 0 ? $"{size / 1000}k" : size.ToString(CultureInfo.InvariantCulture);

    private static async Task<List<double>> TimeStorePagesAsync(LocalObjectStore store, string bucket, int size)
    {
        var request = new ListObjectsRequest { Prefix = "p42/", PageSize = PageSize };
        var tokens = new List<string?> { null };
        var token = (await store.ListObjectsAsync(bucket, request, CancellationToken.None)).NextPageToken;
        for (var i = 0; i < 3 && token is not null; i++)
        {
            tokens.Add(token);
            token = (await store.ListObjectsAsync(bucket, request with { PageToken = token }, CancellationToken.None)).NextPageToken;
        }
        var times = new List<double>();
        for (var i = 0; i < Samples; i++)
        {
            var watch = Stopwatch.StartNew();
            var page = await store.ListObjectsAsync(bucket, request with { PageToken = tokens[i % tokens.Count] }, CancellationToken.None);
            times.Add(watch.Elapsed.TotalMilliseconds);
            if (page.Objects.Count != Math.Min(PageSize, size / Prefixes)) throw new InvalidOperationException($"page held {page.Objects.Count} keys");
        }
        return times;
    }

    private static async Task PopulateAsync(LocalObjectStore store, string bucket, int size)
    {
        var watch = Stopwatch.StartNew();
        try { await store.CreateBucketAsync(bucket, CancellationToken.None); }
        catch (Gateway.Contracts.Errors.GatewayException) { } // a run cut short left it: the PUTs overwrite
        var body = "x"u8.ToArray();
        await Parallel.ForAsync(0, size, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount * 2 }, async (i, ct) =>
        {
            using var content = new MemoryStream(body, writable: false);
            await store.PutObjectAsync(bucket, Key(i), content, new PutObjectOptions { ContentLength = body.Length }, ct);
        });
        var seconds = watch.Elapsed.TotalSeconds;
        Console.Error.WriteLine($"{bucket}: wrote {size} objects through the store layer in {seconds:0.0} s ({size / seconds:0} objects/s)");
        Measure.Metric($"local_store_puts_per_s_{size}", size / seconds, "objects/s");
    }

    private static string Key(int i) => $"p{i % Prefixes:D2}/obj-{i:D7}";

    private static string Url(string bucket) => $"v1/stores/local/buckets/{bucket}/objects?prefix=p42%2F&pageSize={PageSize}";

    /// <summary>The first page (null) and the tokens of the next three pages.</summary>
    private static async Task<List<string?>> TokensAsync(HttpClient http, string bucket)
    {
        var tokens = new List<string?> { null };
        string? token = null;
        for (var i = 0; i < 4 && (i == 0 || token is not null); i++)
        {
            (_, token) = await PageAsync(http, Url(bucket), token);
            if (token is not null) tokens.Add(token);
        }
        return tokens;
    }

    /// <summary>Times the first page and pages further in (by token), alternating.</summary>
    private static async Task<List<double>> TimePagesAsync(HttpClient http, string bucket, int size, List<string?> tokens)
    {
        var times = new List<double>();
        for (var i = 0; i < Samples; i++)
        {
            var at = tokens[i % tokens.Count];
            var watch = Stopwatch.StartNew();
            var (count, _) = await PageAsync(http, Url(bucket), at);
            times.Add(watch.Elapsed.TotalMilliseconds);
            if (count != Math.Min(PageSize, size / Prefixes)) throw new InvalidOperationException($"page held {count} keys");
        }
        return times;
    }

    private static async Task<(int Count, string? Next)> PageAsync(HttpClient http, string url, string? token)
    {
        using var response = await http.GetAsync(token is null ? url : url + "&pageToken=" + Uri.EscapeDataString(token));
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        using var page = await JsonDocument.ParseAsync(body);
        return (page.RootElement.GetProperty("objects").GetArrayLength(), page.RootElement.GetProperty("nextPageToken").GetString());
    }
}
