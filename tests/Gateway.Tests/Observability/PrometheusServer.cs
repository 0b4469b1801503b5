using System.Diagnostics;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.Tests.Observability;

/// <summary>
/// Debian's Prometheus server (scripts/install.d/prometheus.sh) on a free loopback port, scraping one target every
/// second with the credentials given; its data in a temporary folder.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus";
    public const string Promtool = "/usr/bin/promtool";

    private readonly ToolProcess _process;
    private readonly string _directory;

    private PrometheusServer(ToolProcess process, string directory, HttpClient api)
    {
        _process = process;
        _directory = directory;
        Api = api;
    }

    public HttpClient Api { get; }

    public static async Task<PrometheusServer> StartAsync(Uri target, string metricsPath, string? authorization)
    {
        if (!File.Exists(Binary)) throw new InvalidOperationException($"{Binary} is missing. Install it with: bash scripts/install.d/prometheus.sh");
        var directory = Directory.CreateTempSubdirectory("gateway-prometheus-").FullName;
        var config = Path.Combine(directory, "prometheus.yml");
        var auth = authorization is null ? "" : $"\n    authorization: {{ type: ApiKey, credentials: '{authorization}' }}";
        await File.WriteAllTextAsync(config, $"""
            global: {"{"} scrape_interval: 1s, scrape_timeout: 1s {"}"}
            scrape_configs:
              - job_name: gateway
                metrics_path: '{metricsPath}'{auth}
                static_configs: [{"{"} targets: ['{target.Authority}'] {"}"}]
            """);
        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo(Binary);
        foreach (var a in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}", $"--web.listen-address=127.0.0.1:{port}" })
            start.ArgumentList.Add(a);
        var server = new PrometheusServer(ToolProcess.Start(start, "Prometheus"), directory, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") });
        try
        {
            await server._process.UntilAsync(async () => (await server.Api.GetAsync("-/ready")).IsSuccessStatusCode, "Prometheus to be ready");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>
    /// Waits until the one target's last scrape ended as expected: <paramref name="health"/> ("up"/"down") and, when
    /// given, an error naming <paramref name="error"/>. A scrape that timed out on a loaded machine is simply retried.
    /// </summary>
    public async Task TargetAsync(string health, string? error = null)
    {
        var last = "no scrape yet";
        try
        {
            await _process.UntilAsync(async () =>
            {
                using var doc = JsonDocument.Parse(await Api.GetStringAsync("api/v1/targets"));
                var targets = doc.RootElement.GetProperty("data").GetProperty("activeTargets");
                if (targets.GetArrayLength() != 1) return false;
                var t = targets[0];
                var (h, e) = (t.GetProperty("health").GetString(), t.GetProperty("lastError").GetString() ?? "");
                last = $"{h}: {e}";
                return h == health && (error is null || e.Contains(error, StringComparison.Ordinal));
            }, $"the target to be {health}{(error is null ? "" : $" with '{error}'")}");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"The target's last scrape: {last}. {e.Message}", e);
        }
    }

    /// <summary>An instant query's samples: labels and value, once the query has at least one (Prometheus ingests asynchronously).</summary>
    public async Task<IReadOnlyList<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        List<(Dictionary<string, string>, double)> samples = [];
        await _process.UntilAsync(async () =>
        {
            using var response = await Api.PostAsync("api/v1/query", new FormUrlEncodedContent([new("query", promql)]));
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            if (doc.RootElement.GetProperty("status").GetString() != "success")
                throw new InvalidOperationException($"Prometheus refused the query {promql}: {doc.RootElement}");
            samples = [];
            foreach (var r in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
            {
                var labels = r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
                samples.Add((labels, double.Parse(r.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture)));
            }
            return samples.Count > 0;
        }, $"a sample for {promql}");
        return samples;
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await _process.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
