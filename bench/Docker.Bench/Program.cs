// Docker through the gateway (a separate Release process) vs Docker.DotNet straight to the same engine, same run:
//   docker_list_ratio  containers-list calls/s, gateway / direct (same concurrency)
//   docker_logs_ratio  bytes/s reading a finished container's whole log, gateway (NDJSON) / direct (multiplexed stream)
// Each ratio is the median of per-round ratios (direct and gateway measured back to back, order alternating). Usage: Docker.Bench <backends-env-file> [rounds] [log-lines]
using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Gateway.Bench;

var env = File.ReadAllLines(args[0]).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
var logLines = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200_000;
const int ListWorkers = 4;
var listWindow = TimeSpan.FromSeconds(2);

var endpoint = new Uri(env["DOCKER_ENDPOINT"]);
var image = env["DOCKER_TEST_IMAGE"];
var runLabel = "gateway-bench.run=" + Guid.NewGuid().ToString("N")[..12];
var labels = new Dictionary<string, string> { [runLabel.Split('=')[0]] = runLabel.Split('=')[1] };
using var direct = new DockerClientConfiguration(endpoint, defaultTimeout: Timeout.InfiniteTimeSpan).CreateClient();

var apiKey = "gwk_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
await using var gateway = await GatewayProcess.StartAsync(Measure.RepoRoot(), new Dictionary<string, string>
{
    ["Gateway:Docker:Hosts:bench:Endpoint"] = endpoint.ToString(),
    ["Gateway:Security:ApiKeys:bench:Hash"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey))),
    ["Gateway:Security:ApiKeys:bench:Scopes:0"] = "admin",
    ["Gateway:Security:RateLimits:PermitLimit"] = "0",
});
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = ListWorkers * 2 })
{
    BaseAddress = gateway.Address,
    Timeout = TimeSpan.FromMinutes(5),
};
http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);

try
{
    // 20 idle containers give the list something to carry; one finished container holds the log.
    for (var i = 0; i < 20; i++)
        await direct.Containers.CreateContainerAsync(new CreateContainerParameters { Image = image, Cmd = ["true"], Labels = labels });
    var logger = await direct.Containers.CreateContainerAsync(new CreateContainerParameters
    {
        Image = image,
        Labels = labels,
        Cmd = ["sh", "-c", $"yes 'gateway-bench 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ' | head -n {logLines}; yes 'stderr line' | head -n 1000 >&2"],
    });
    await direct.Containers.StartContainerAsync(logger.ID, new ContainerStartParameters());
    await direct.Containers.WaitContainerAsync(logger.ID);

    var filter = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [runLabel] = true } };
    var listParameters = new ContainersListParameters { All = true, Filters = filter };
    var listPath = "v1/docker/bench/containers?all=true&filters=" + Uri.EscapeDataString($"{{\"label\":[\"{runLabel}\"]}}");

    async Task<int> DirectList() => (await direct.Containers.ListContainersAsync(listParameters)).Count;
    async Task<int> GatewayList()
    {
        using var response = await http.GetAsync(listPath);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStringAsync();
        return body.Length;
    }

    async Task<long> DirectLogBytes()
    {
        using var stream = await direct.Containers.GetContainerLogsAsync(logger.ID, false,
            new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = "all" });
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        long total = 0;
        try
        {
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, default);
                if (read.EOF) break;
                total += read.Count;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
        return total;
    }

    async Task<long> GatewayLogLines()
    {
        using var response = await http.GetAsync($"v1/docker/bench/containers/{logger.ID}/logs", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[81920];
        long lines = 0;
        int n;
        while ((n = await body.ReadAsync(buffer)) > 0) lines += buffer.AsSpan(0, n).Count((byte)'\n');
        return lines;
    }

    // Warm both paths (JIT, connections) and check they see the same thing.
    var directCount = await DirectList();
    await GatewayList();
    var logBytes = await DirectLogBytes();
    var gatewayLines = await GatewayLogLines();
    if (directCount != 21 || gatewayLines != logLines + 1000)
        throw new InvalidOperationException($"setup mismatch: {directCount} containers listed, {gatewayLines} log lines through the gateway");

    async Task<double> CallsPerSecond(Func<Task<int>> call)
    {
        var stop = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, ListWorkers).Select(async _ =>
        {
            var calls = 0;
            while (stop.Elapsed < listWindow) { await call(); calls++; }
            return calls;
        }));
        return counts.Sum() / stop.Elapsed.TotalSeconds;
    }

    var listDirect = new List<double>();
    var listGateway = new List<double>();
    var logsDirect = new List<double>();
    var logsGateway = new List<double>();
    for (var round = 0; round < rounds; round++)
    {
        // Pairs measured back to back, in alternating order, so drift in the shared machine's load hits both sides.
        var gatewayFirst = round % 2 == 1;
        async Task Pair(Func<Task> directSide, Func<Task> gatewaySide)
        {
            if (gatewayFirst) { await gatewaySide(); await directSide(); }
            else { await directSide(); await gatewaySide(); }
        }
        await Pair(async () => listDirect.Add(await CallsPerSecond(DirectList)), async () => listGateway.Add(await CallsPerSecond(GatewayList)));
        await Pair(async () => logsDirect.Add(logBytes / await Measure.SecondsAsync(DirectLogBytes)),
            async () => logsGateway.Add(logBytes / await Measure.SecondsAsync(GatewayLogLines)));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"round {round + 1}: list {listDirect[^1]:0} direct vs {listGateway[^1]:0} gateway calls/s, logs {logsDirect[^1] / 1e6:0.0} vs {logsGateway[^1] / 1e6:0.0} MB/s"));
    }

    // The ratios are medians of the per-round (paired) ratios; the absolute numbers are medians too.
    Measure.Metric("docker_list_direct", Measure.Median(listDirect), "calls/s");
    Measure.Metric("docker_list_gateway", Measure.Median(listGateway), "calls/s");
    Measure.Metric("docker_list_ratio", Measure.Median(listGateway.Zip(listDirect, (g, d) => g / d)), "ratio");
    Measure.Metric("docker_logs_direct", Measure.Median(logsDirect) / 1e6, "MB/s");
    Measure.Metric("docker_logs_gateway", Measure.Median(logsGateway) / 1e6, "MB/s");
    Measure.Metric("docker_logs_ratio", Measure.Median(logsGateway.Zip(logsDirect, (g, d) => g / d)), "ratio");
    Measure.Metric("docker_gateway_peak_rss", gateway.PeakRssMb(), "MiB");
}
finally
{
    var left = await direct.Containers.ListContainersAsync(new ContainersListParameters
    {
        All = true,
        Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [runLabel] = true } },
    });
    foreach (var c in left) await direct.Containers.RemoveContainerAsync(c.ID, new ContainerRemoveParameters { Force = true });
}
