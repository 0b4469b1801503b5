using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gateway.Contracts.Errors;

namespace Gateway.Channel.Diagnostics;

/// <summary>
/// The gateway side's measurement of every bridge call, taken where the family client dispatches it through CTP-96,
/// so it is the same whether the bridge host runs in-process or remote. A call is measured once, from its dispatch
/// until its answer (for a streamed answer: until the answer's head arrived, not the end of its body).
/// </summary>
public static class BridgeCallMetrics
{
    public const string MeterName = "Gateway.Bridges";
    public const string DurationName = "gateway.bridge.call.duration";

    public const string KindTag = "bridge.kind";
    public const string NameTag = "bridge.name";
    public const string OperationTag = "operation";
    public const string OutcomeTag = "outcome";
    public const string ErrorCodeTag = "error.code";

    internal static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<double> Duration = Meter.CreateHistogram(DurationName, unit: "s",
        description: "Bridge calls made through CTP-96, by bridge kind and name, operation and outcome.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    /// <summary>Records one call; <paramref name="failure"/> is what it threw, null when it answered.</summary>
    public static void Record(string kind, string name, string operation, long startTimestamp, Exception? failure)
    {
        if (!Duration.Enabled) return;
        var tags = new TagList
        {
            { KindTag, kind },
            { NameTag, name },
            { OperationTag, operation },
        };
        if (ErrorCodeOf(failure) is { } code)
        {
            tags.Add(OutcomeTag, "error");
            tags.Add(ErrorCodeTag, code);
        }
        else tags.Add(OutcomeTag, "ok");
        Duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }

    /// <summary>The gateway error code of a failed call; null when it did not fail (a not-modified answer is a success).</summary>
    public static string? ErrorCodeOf(Exception? failure) => failure switch
    {
        null => null,
        GatewayException { Code: ErrorCode.NotModified } => null,
        GatewayException g => g.Code.Slug(),
        OperationCanceledException => "cancelled",
        _ => ErrorCode.Internal.Slug(),
    };
}
