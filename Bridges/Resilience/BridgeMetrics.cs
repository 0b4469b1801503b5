using System.Runtime.CompilerServices;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Gateway.Contracts.Bridges;

namespace Gateway.Bridges.Resilience;

/// <summary>
/// What the resilience pipelines count, per bridge instance (<c>bridge.kind</c>, <c>bridge.name</c>): retries, attempt
/// timeouts, rejections (open circuit, full limiter), and as gauges the circuit state and the concurrency limiter's
/// in-flight and queued calls. Measured where the pipeline runs: the bridge host (in-process by default).
/// </summary>
public static class BridgeMetrics
{
    public const string MeterName = "Gateway.Bridges.Resilience";

    static readonly Meter Meter = new(MeterName);

    static readonly Counter<long> Retries = Meter.CreateCounter<long>("gateway.bridge.retries", "{retry}",
        "Retries of idempotent bridge calls after a transient failure.");
    static readonly Counter<long> AttemptTimeouts = Meter.CreateCounter<long>("gateway.bridge.attempt.timeouts", "{timeout}",
        "Bridge call attempts that ran past the attempt timeout.");
    static readonly Counter<long> Rejections = Meter.CreateCounter<long>("gateway.bridge.rejections", "{call}",
        "Bridge calls refused before the platform was called, by reason (circuit-open, concurrency-limit).");

    static BridgeMetrics()
    {
        Meter.CreateObservableGauge("gateway.bridge.circuit.state", () => Observe(r => CircuitValue(r.CircuitState)), "{state}",
            "Circuit breaker state per bridge instance: 0 closed, 1 open, 2 half-open, 3 isolated (absent when the instance has no breaker).");
        Meter.CreateObservableUpDownCounter("gateway.bridge.limiter.in_flight", () => Observe(r => r.Limiter is { } l ? InFlight(r, l) : null), "{call}",
            "Bridge calls holding a concurrency permit.");
        Meter.CreateObservableUpDownCounter("gateway.bridge.limiter.queued", () => Observe(r => r.Limiter?.GetStatistics()?.CurrentQueuedCount), "{call}",
            "Bridge calls waiting for a concurrency permit.");
    }

    /// <summary>Every live pipeline's instance (weakly held: a disposed host's instances fade with the garbage collector).</summary>
    static readonly ConditionalWeakTable<BridgeResilience, object?> Live = new();

    internal static void Track(BridgeResilience resilience) => Live.AddOrUpdate(resilience, null);

    internal static void Retry(string kind, string name) => Retries.Add(1, Tags(kind, name));

    internal static void AttemptTimedOut(string kind, string name) => AttemptTimeouts.Add(1, Tags(kind, name));

    internal static void Rejected(string kind, string name, string reason)
    {
        var tags = Tags(kind, name);
        tags.Add("reason", reason);
        Rejections.Add(1, tags);
    }

    static TagList Tags(string kind, string name) => new() { { "bridge.kind", kind }, { "bridge.name", name } };

    static IEnumerable<Measurement<long>> Observe(Func<BridgeResilience, long?> value)
    {
        foreach (var (resilience, _) in Live)
            if (value(resilience) is { } v)
                yield return new Measurement<long>(v, Tags(resilience.Kind, resilience.Name));
    }

    static long? CircuitValue(string state) => state switch
    {
        CircuitStates.Closed => 0,
        CircuitStates.Open => 1,
        CircuitStates.HalfOpen => 2,
        CircuitStates.Isolated => 3,
        _ => null,
    };

    static long? InFlight(BridgeResilience resilience, ConcurrencyLimiter limiter) =>
        limiter.GetStatistics() is { } s ? resilience.Options.MaxConcurrency - s.CurrentAvailablePermits : null;

    /// <summary>"s3:archive" → ("s3", "archive"); a name without a kind prefix keeps <paramref name="fallbackKind"/>.</summary>
    internal static (string Kind, string Name) Split(string instanceName, string? kind)
    {
        if (kind is not null) return (kind, instanceName);
        var colon = instanceName.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? (instanceName[..colon], instanceName[(colon + 1)..]) : ("unknown", instanceName);
    }
}
