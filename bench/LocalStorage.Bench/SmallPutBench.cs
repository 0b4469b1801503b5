using Gateway.Bench;

namespace Gateway.Bench.LocalStorage;

/// <summary>
/// small_put_per_s (issue 11): 4 KiB PUTs through the gateway's local store over 16 connections, against the same
/// number of 4 KiB files written directly by 16 writers, round by round so both see the same machine load.
/// small_put_ratio is the gateway's rate over the direct one.
/// </summary>
internal static class SmallPutBench
{
    private const int Connections = 16;
    private const int ObjectBytes = 4096;

    public static async Task RunAsync(string work, int count, int rounds)
    {
        var body = new byte[ObjectBytes];
        new Random(7).NextBytes(body);
        await using var gateway = await GatewayProcess.StartAsync(Measure.RepoRoot(), new Dictionary<string, string>
        {
            ["Gateway:DataDirectory"] = Path.Combine(work, "small"),
            ["Gateway:Stores:local:Root"] = Path.Combine(work, "small", "objects"),
            ["Gateway:Observability:Metrics:Enabled"] = "false",
        });
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Connections })
        {
            BaseAddress = gateway.Address,
            Timeout = TimeSpan.FromMinutes(5),
        };
        if (gateway.ApiKey is not null) http.DefaultRequestHeaders.Add("X-Api-Key", gateway.ApiKey);
        (await http.PutAsync("v1/stores/local/buckets/small", null)).EnsureSuccessStatusCode();
        // Warm-up: the gateway's first few hundred calls run unoptimised code (tiered JIT).
        await PutAllAsync(http, body, "warm", Math.Min(count, 500));

        var direct = new List<double>();
        var gatewayRates = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(work, "small-direct", round.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
            direct.Add(count / await Measure.SecondsAsync(() => Parallel.ForAsync(0, count,
                new ParallelOptions { MaxDegreeOfParallelism = Connections },
                async (i, ct) => await File.WriteAllBytesAsync(Path.Combine(folder, $"obj-{i:D7}"), body, ct))));
            gatewayRates.Add(count / await Measure.SecondsAsync(() => PutAllAsync(http, body, $"r{round}", count)));
            Console.Error.WriteLine($"small puts, round {round + 1}: direct {direct[^1]:0} files/s, gateway {gatewayRates[^1]:0} PUTs/s");
        }
        var directRate = Measure.Median(direct);
        var gatewayRate = Measure.Median(gatewayRates);
        Measure.Metric("small_put_direct_per_s", directRate, "files/s");
        Measure.Metric("small_put_per_s", gatewayRate, "PUTs/s");
        Measure.Metric("small_put_ratio", gatewayRate / directRate, "ratio");
    }

    /// <summary>PUTs <paramref name="count"/> objects over <see cref="Connections"/> concurrent requests.</summary>
    private static Task PutAllAsync(HttpClient http, byte[] body, string prefix, int count) =>
        Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = Connections }, async (i, ct) =>
        {
            using var content = new ByteArrayContent(body);
            using var response = await http.PutAsync($"v1/stores/local/buckets/small/objects/{prefix}/obj-{i:D7}", content, ct);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"PUT {prefix}/obj-{i} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        });
}
