using Microsoft.Extensions.Options;

namespace Gateway.Observability;

/// <summary>Settings of section <c>Gateway:Observability</c>: metrics, traces and log format. See docs/observability.md.</summary>
public sealed class ObservabilityOptions
{
    public const string Section = "Gateway:Observability";

    /// <summary>The <c>service.name</c> resource attribute of every metric and span.</summary>
    public string ServiceName { get; set; } = "gateway";

    public MetricsOptions Metrics { get; set; } = new();
    public TracingOptions Tracing { get; set; } = new();
    public OtlpOptions Otlp { get; set; } = new();
    public LogOptions Logs { get; set; } = new();
}

public sealed class MetricsOptions
{
    /// <summary>Collect the gateway's, ASP.NET Core's, HttpClient's and the runtime's metrics. On by default.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Serve them for Prometheus on <see cref="PrometheusPath"/> (scope <c>read:metrics</c>). On by default.</summary>
    public bool Prometheus { get; set; } = true;

    public string PrometheusPath { get; set; } = "/metrics";

    /// <summary>Let callers on a loopback address scrape without credentials (a Prometheus agent on the same host). Off by default.</summary>
    public bool AnonymousOnLoopback { get; set; }
}

public sealed class TracingOptions
{
    /// <summary>Record spans. Null (the default): on when an OTLP endpoint or the console exporter is configured.</summary>
    public bool? Enabled { get; set; }

    /// <summary>The share of new traces sampled (0..1); a caller's sampled flag is honoured (parent-based).</summary>
    public double SamplingRatio { get; set; } = 1.0;

    /// <summary>Also write finished spans to standard output (OpenTelemetry console exporter): for debugging, not production.</summary>
    public bool Console { get; set; }
}

public sealed class OtlpOptions
{
    /// <summary>The collector's OTLP endpoint (http://collector:4317 for gRPC, http://collector:4318 for HTTP); unset: no OTLP export.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>"grpc" (default) or "http/protobuf".</summary>
    public string Protocol { get; set; } = "grpc";

    /// <summary>Export metrics and traces over OTLP (both on when an endpoint is set).</summary>
    public bool Metrics { get; set; } = true;
    public bool Traces { get; set; } = true;
}

public sealed class LogOptions
{
    /// <summary>"simple" (ASP.NET's default console format) or "json" (one JSON object per line, with scopes: trace id, span id, request id).</summary>
    public string Format { get; set; } = "simple";
}

internal sealed class ObservabilityOptionsValidator : IValidateOptions<ObservabilityOptions>
{
    public ValidateOptionsResult Validate(string? name, ObservabilityOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.ServiceName)) errors.Add($"{ObservabilityOptions.Section}:ServiceName must not be empty.");
        if (o.Tracing.SamplingRatio is < 0 or > 1 || double.IsNaN(o.Tracing.SamplingRatio))
            errors.Add($"{ObservabilityOptions.Section}:Tracing:SamplingRatio must be between 0 and 1 (got {o.Tracing.SamplingRatio}).");
        if (!o.Metrics.PrometheusPath.StartsWith('/') || o.Metrics.PrometheusPath.Length < 2)
            errors.Add($"{ObservabilityOptions.Section}:Metrics:PrometheusPath must be an absolute path such as /metrics (got '{o.Metrics.PrometheusPath}').");
        if (o.Otlp.Protocol is not ("grpc" or "http/protobuf"))
            errors.Add($"{ObservabilityOptions.Section}:Otlp:Protocol must be 'grpc' or 'http/protobuf' (got '{o.Otlp.Protocol}').");
        if (o.Otlp.Endpoint is { IsAbsoluteUri: false } or { Scheme: not ("http" or "https") })
            errors.Add($"{ObservabilityOptions.Section}:Otlp:Endpoint must be an absolute http(s) URI.");
        if (o.Logs.Format is not ("simple" or "json"))
            errors.Add($"{ObservabilityOptions.Section}:Logs:Format must be 'simple' or 'json' (got '{o.Logs.Format}').");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
