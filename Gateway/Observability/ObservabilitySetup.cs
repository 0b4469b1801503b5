using System.Diagnostics.Metrics;
using Gateway.Bridges.Resilience;
using Gateway.Channel.Diagnostics;
using Gateway.Security;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gateway.Observability;

/// <summary>
/// OpenTelemetry for the gateway (and for a `--role bridge-host` process, which runs the same app): the gateway's own
/// meters and activity sources (every "Gateway.*"), ASP.NET Core, HttpClient and runtime instrumentation, a Prometheus
/// scrape endpoint, OTLP export by configuration, and the JSON console log format.
/// </summary>
public static class ObservabilitySetup
{
    /// <summary>Every meter and activity source of the gateway's own assemblies is named "Gateway.…".</summary>
    public const string GatewaySources = "Gateway.*";

    public static IServiceCollection AddGatewayObservability(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<ObservabilityOptions>().Bind(config.GetSection(ObservabilityOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ObservabilityOptions>, ObservabilityOptionsValidator>();
        var options = config.GetSection(ObservabilityOptions.Section).Get<ObservabilityOptions>() ?? new ObservabilityOptions();

        AddLogFormat(services, options.Logs);
        var otel = services.AddOpenTelemetry().ConfigureResource(r => r.AddService(options.ServiceName));
        if (options.Metrics.Enabled)
        {
            otel.WithMetrics(metrics =>
            {
                metrics.AddMeter(GatewaySources).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation()
                    .AddView(instrument => IsDropped(instrument) ? MetricStreamConfiguration.Drop : null);
                // No response cache: a scrape sees what happened up to it (Prometheus scrapes every few seconds anyway).
                if (options.Metrics.Prometheus) metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                if (options.Otlp is { Endpoint: not null, Metrics: true }) metrics.AddOtlpExporter(o => Otlp(o, options.Otlp, "v1/metrics"));
            });
        }
        if (TracingOn(options))
        {
            otel.WithTracing(tracing =>
            {
                tracing.SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.Tracing.SamplingRatio)))
                    .AddSource(GatewaySources)
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsScrapeOrProbe(context.Request.Path, options.Metrics))
                    .AddHttpClientInstrumentation();
                if (options.Otlp is { Endpoint: not null, Traces: true }) tracing.AddOtlpExporter(o => Otlp(o, options.Otlp, "v1/traces"));
                if (options.Tracing.Console) tracing.AddConsoleExporter();
            });
        }
        return services;
    }

    /// <summary>
    /// Instruments of the instrumentations that are updated on every request (some several times) and tell nothing the
    /// kept ones do not, or nothing an operator of the gateway acts on; dropped by a view, so they are never enabled
    /// and cost nothing per request (docs/observability.md, "Not collected").
    /// </summary>
    internal static readonly string[] DroppedMeters = ["Microsoft.AspNetCore.MemoryPool"];

    internal static readonly string[] DroppedInstruments =
    [
        "aspnetcore.routing.match_attempts",
        "aspnetcore.authentication.authenticate.duration",
        "http.client.open_connections",
    ];

    private static bool IsDropped(Instrument instrument) =>
        DroppedMeters.Contains(instrument.Meter.Name) || DroppedInstruments.Contains(instrument.Name);

    /// <summary>Whether spans are recorded: explicitly, or because something would receive them.</summary>
    internal static bool TracingOn(ObservabilityOptions options) =>
        options.Tracing.Enabled ?? (options.Otlp is { Endpoint: not null, Traces: true } || options.Tracing.Console);

    /// <summary>The Prometheus scrape endpoint: scope <c>read:metrics</c>, or anonymous from loopback when configured.</summary>
    public static WebApplication MapGatewayMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ObservabilityOptions>>().Value.Metrics;
        if (!options.Enabled || !options.Prometheus) return app;
        // The exporter maps every method; a scrape is a GET (others: 405).
        var endpoint = app.MapPrometheusScrapingEndpoint(options.PrometheusPath).RequireGatewayAccess(Operation.Read, "metrics")
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
        if (options.AnonymousOnLoopback) endpoint.AllowGatewayAnonymousOnLoopback();
        return app;
    }

    /// <summary>The gateway's request id on every log line and span of a request; right after the request id is made.</summary>
    public static WebApplication UseRequestLogScope(this WebApplication app)
    {
        app.UseMiddleware<RequestLogScope>();
        return app;
    }

    internal const string RequestLinesCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    private static void AddLogFormat(IServiceCollection services, LogOptions logs)
    {
        services.Configure<LoggerFactoryOptions>(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        // ASP.NET's per-request lines ("Request starting GET http://host/path?query") carry the query string, where
        // presigned URLs and some callers put signatures and tokens: that category never logs below Warning (a rule
        // for a more specific category, so it wins over "Microsoft.AspNetCore" or "Default" in Logging:LogLevel, and a
        // console one, which wins over Logging:Console:LogLevel rules for shorter categories).
        services.Configure<LoggerFilterOptions>(o =>
        {
            o.Rules.Add(new LoggerFilterRule(null, RequestLinesCategory, LogLevel.Warning, null));
            o.Rules.Add(new LoggerFilterRule("Console", RequestLinesCategory, LogLevel.Warning, null));
        });
        if (logs.Format != "json") return;
        services.Configure<ConsoleLoggerOptions>(o => o.FormatterName = ConsoleFormatterNames.Json);
        services.Configure<JsonConsoleFormatterOptions>(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
    }

    /// <summary>
    /// The endpoint is the collector's base address, as OTEL_EXPORTER_OTLP_ENDPOINT is. Over HTTP each signal has its
    /// own path, which the exporter appends only to an endpoint it read from the environment: one set in code is
    /// taken as the full URL, so without the path every export went to the collector's root and was lost.
    /// </summary>
    private static void Otlp(OtlpExporterOptions exporter, OtlpOptions options, string signalPath)
    {
        var http = options.Protocol == "http/protobuf";
        exporter.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        exporter.Endpoint = http ? new Uri(options.Endpoint!.AbsoluteUri.TrimEnd('/') + "/" + signalPath) : options.Endpoint!;
        // HttpClient's default handler follows redirects, exports and any OTEL_EXPORTER_OTLP_HEADERS (a vendor's API key)
        // along to wherever Location points. A collector does not redirect; none is followed.
        exporter.HttpClientFactory = () => new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false })
        {
            Timeout = TimeSpan.FromMilliseconds(exporter.TimeoutMilliseconds),
        };
    }

    private static bool IsScrapeOrProbe(PathString path, MetricsOptions metrics) =>
        path.StartsWithSegments(metrics.PrometheusPath) || path.StartsWithSegments("/health");
}
