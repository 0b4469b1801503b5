using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.Tests.Observability;

/// <summary>
/// The standalone Aspire dashboard (NuGet Aspire.Dashboard.Sdk.linux-x64, downloaded by this project's restore): a real
/// OTLP collector on gRPC and HTTP with a read API for what it received, on free loopback ports.
/// </summary>
internal sealed class AspireDashboard : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private AspireDashboard(Process process, HttpClient api, Uri grpc, Uri http)
    {
        _process = process;
        Api = api;
        OtlpGrpc = grpc;
        OtlpHttp = http;
    }

    public HttpClient Api { get; }
    public Uri OtlpGrpc { get; }
    public Uri OtlpHttp { get; }

    private static string Binary => typeof(AspireDashboard).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "AspireDashboard").Value!;

    public static async Task<AspireDashboard> StartAsync()
    {
        if (!File.Exists(Binary)) throw new InvalidOperationException($"{Binary} is missing: restore tests/Gateway.Tests (it downloads Aspire.Dashboard.Sdk.linux-x64).");
        var (ui, grpc, http) = (LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free());
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ui}";
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{grpc}";
        start.Environment["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = $"http://127.0.0.1:{http}";
        // Loopback only and for the test's life: no browser token, no OTLP or API key.
        start.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        var process = Process.Start(start) ?? throw new InvalidOperationException("The Aspire dashboard did not start.");
        var dashboard = new AspireDashboard(process, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ui}/") },
            new Uri($"http://127.0.0.1:{grpc}"), new Uri($"http://127.0.0.1:{http}"));
        process.OutputDataReceived += (_, e) => dashboard.Add(e.Data);
        process.ErrorDataReceived += (_, e) => dashboard.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await dashboard.UntilAsync(async () => (await dashboard.Api.GetAsync("api/telemetry/spans")).IsSuccessStatusCode, "the dashboard's API");
        }
        catch
        {
            await dashboard.DisposeAsync();
            throw;
        }
        return dashboard;
    }

    private void Add(string? line)
    {
        if (line is null) return;
        lock (_output) _output.Add(line);
    }

    /// <summary>The names of the spans of one trace, once at least <paramref name="atLeast"/> have arrived.</summary>
    public async Task<IReadOnlyList<string>> SpanNamesAsync(string traceId, int atLeast)
    {
        List<string> names = [];
        await UntilAsync(async () =>
        {
            using var doc = JsonDocument.Parse(await Api.GetStringAsync($"api/telemetry/spans?traceId={traceId}"));
            names = [.. doc.RootElement.GetProperty("data").GetProperty("resourceSpans").EnumerateArray()
                .SelectMany(r => r.GetProperty("scopeSpans").EnumerateArray())
                .SelectMany(s => s.GetProperty("spans").EnumerateArray())
                .Select(s => s.GetProperty("name").GetString()!)];
            return names.Count >= atLeast;
        }, $"{atLeast} spans of trace {traceId}");
        return names;
    }

    /// <summary>Whether a resource named <paramref name="service"/> sent metrics, once one did.</summary>
    public Task MetricsArrivedAsync(string service) => UntilAsync(async () =>
    {
        using var doc = JsonDocument.Parse(await Api.GetStringAsync("api/telemetry/resources"));
        return doc.RootElement.EnumerateArray().Any(r => r.GetProperty("name").GetString() == service && r.GetProperty("hasMetrics").GetBoolean());
    }, $"metrics from {service}");

    private async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The Aspire dashboard exited ({_process.ExitCode}) waiting for {what}:\n{Output}");
            try
            {
                if (await condition()) return;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited 60 s for {what}. The dashboard said:\n{Output}");
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
    }
}
