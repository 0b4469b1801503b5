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
    private readonly ToolProcess _process;

    private AspireDashboard(ToolProcess process, HttpClient api, Uri grpc, Uri http)
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
        var start = new ProcessStartInfo(Binary);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ui}";
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{grpc}";
        start.Environment["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = $"http://127.0.0.1:{http}";
        // Loopback only and for the test's life: no browser token, no OTLP or API key.
        start.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        var dashboard = new AspireDashboard(ToolProcess.Start(start, "The Aspire dashboard"), new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ui}/") },
            new Uri($"http://127.0.0.1:{grpc}"), new Uri($"http://127.0.0.1:{http}"));
        try
        {
            await dashboard._process.UntilAsync(async () => (await dashboard.Api.GetAsync("api/telemetry/spans")).IsSuccessStatusCode, "the dashboard's API");
        }
        catch
        {
            await dashboard.DisposeAsync();
            throw;
        }
        return dashboard;
    }

    /// <summary>The names of the spans of one trace, once at least <paramref name="atLeast"/> have arrived.</summary>
    public async Task<IReadOnlyList<string>> SpanNamesAsync(string traceId, int atLeast)
    {
        List<string> names = [];
        await _process.UntilAsync(async () =>
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
    public Task MetricsArrivedAsync(string service) => _process.UntilAsync(async () =>
    {
        using var doc = JsonDocument.Parse(await Api.GetStringAsync("api/telemetry/resources"));
        return doc.RootElement.EnumerateArray().Any(r => r.GetProperty("name").GetString() == service && r.GetProperty("hasMetrics").GetBoolean());
    }, $"metrics from {service}");

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await _process.DisposeAsync();
    }
}
