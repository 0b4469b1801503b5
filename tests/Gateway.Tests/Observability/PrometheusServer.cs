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

    private readonly Process _process;
    private readonly string _directory;
    private readonly List<string> _output = [];

    private PrometheusServer(Process process, string directory, HttpClient api)
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
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}", $"--web.listen-address=127.0.0.1:{port}" })
            start.ArgumentList.Add(a);
        var process = Process.Start(start) ?? throw new InvalidOperationException("Prometheus did not start.");
        var server = new PrometheusServer(process, directory, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") });
        process.OutputDataReceived += (_, e) => server.Add(e.Data);
        process.ErrorDataReceived += (_, e) => server.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.UntilAsync(async () => (await server.Api.GetAsync("-/ready")).IsSuccessStatusCode, "Prometheus to be ready");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    private void Add(string? line)
    {
        if (line is null) return;
        lock (_output) _output.Add(line);
    }

    /// <summary>The one target's state once it has been scraped at least once: health ("up"/"down") and last error.</summary>
    public async Task<(string Health, string LastError)> ScrapedTargetAsync()
    {
        (string, string) state = default;
        await UntilAsync(async () =>
        {
            using var doc = JsonDocument.Parse(await Api.GetStringAsync("api/v1/targets"));
            var targets = doc.RootElement.GetProperty("data").GetProperty("activeTargets");
            if (targets.GetArrayLength() != 1) return false;
            var t = targets[0];
            if (t.GetProperty("health").GetString() is not { } health || health == "unknown") return false;
            state = (health, t.GetProperty("lastError").GetString() ?? "");
            return true;
        }, "the target's first scrape");
        return state;
    }

    /// <summary>An instant query's samples: labels and value, once the query has at least one (Prometheus ingests asynchronously).</summary>
    public async Task<IReadOnlyList<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        List<(Dictionary<string, string>, double)> samples = [];
        await UntilAsync(async () =>
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

    private async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"Prometheus exited ({_process.ExitCode}) waiting for {what}:\n{Output}");
            try
            {
                if (await condition()) return;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited 60 s for {what}. Prometheus said:\n{Output}");
            await Task.Delay(100); // polling interval, not synchronisation: the loop checks the condition
        }
    }

    private string Output
    {
        get { lock (_output) return string.Join('\n', _output.TakeLast(40)); }
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
