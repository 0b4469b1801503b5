using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Gateway.Channel.Diagnostics;

namespace Gateway.Status;

/// <summary>
/// Recent bridge calls per bridge, for the status page: it listens to the gateway's own
/// <c>gateway.bridge.call.duration</c> histogram (so it sees exactly what /metrics counts) and keeps the last
/// <see cref="Capacity"/> calls of each bridge within <see cref="Window"/>. Rates and p95 come from those. It also
/// keeps each bridge's totals since start, which /v1/bridges shows for a bridge without a resilience pipeline.
/// </summary>
public sealed class BridgeCallStatistics : IDisposable
{
    public const int Capacity = 2048;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Kind, string Name), Ring> _bridges = new();
    private readonly TimeProvider _time;

    public BridgeCallStatistics(TimeProvider time)
    {
        _time = time;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == BridgeCallMetrics.MeterName && instrument.Name == BridgeCallMetrics.DurationName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>(OnCall);
        _listener.Start();
    }

    private void OnCall(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? kind = null, name = null, outcome = null, code = null;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case BridgeCallMetrics.KindTag: kind = tag.Value as string; break;
                case BridgeCallMetrics.NameTag: name = tag.Value as string; break;
                case BridgeCallMetrics.OutcomeTag: outcome = tag.Value as string; break;
                case BridgeCallMetrics.ErrorCodeTag: code = tag.Value as string; break;
            }
        }
        if (kind is null || name is null) return;
        _bridges.GetOrAdd((kind, name), _ => new Ring()).Add(_time.GetUtcNow(), seconds, outcome is not "ok", IsBridgeFailure(code));
    }

    /// <summary>
    /// Whether a failed call counts against the bridge, as a resilience pipeline counts it: the bridge or the channel to
    /// it failed. An answer such as not-found or a refused precondition is the bridge working; a cancelled call is neither.
    /// </summary>
    private static bool? IsBridgeFailure(string? code) => code switch
    {
        null => false,
        "cancelled" => null,
        "unavailable" or "timeout" or "internal" or "witness-failed" => true,
        _ => false,
    };

    /// <summary>Calls that answered and calls that failed the bridge since start (see <see cref="IsBridgeFailure"/>); null without calls.</summary>
    public BridgeCallTotals? Totals(string kind, string name) =>
        _bridges.TryGetValue((kind, name), out var ring) ? ring.Totals() : null;

    /// <summary>Calls per second, the share that failed and the 95th percentile latency over the last <see cref="Window"/>; null without calls.</summary>
    public BridgeCallSummary? Summarize(string kind, string name)
    {
        if (!_bridges.TryGetValue((kind, name), out var ring)) return null;
        var since = _time.GetUtcNow() - Window;
        var calls = ring.Since(since);
        if (calls.Count == 0) return null;
        var durations = calls.Select(c => c.Seconds).Order().ToArray();
        var p95 = durations[Math.Min(durations.Length - 1, (int)Math.Ceiling(durations.Length * 0.95) - 1)];
        return new BridgeCallSummary(calls.Count / Window.TotalSeconds, calls.Count(c => c.Failed) / (double)calls.Count, p95, calls.Count);
    }

    public void Dispose() => _listener.Dispose();

    private readonly record struct Call(DateTimeOffset At, double Seconds, bool Failed);

    private sealed class Ring
    {
        private readonly Call[] _calls = new Call[Capacity];
        private long _next;
        private long _answered, _bridgeFailures;
        private DateTimeOffset? _lastAnswered, _lastBridgeFailure;

        public void Add(DateTimeOffset at, double seconds, bool failed, bool? bridgeFailure)
        {
            lock (_calls)
            {
                _calls[_next++ % Capacity] = new Call(at, seconds, failed);
                if (bridgeFailure == true) (_bridgeFailures, _lastBridgeFailure) = (_bridgeFailures + 1, at);
                else if (bridgeFailure == false) (_answered, _lastAnswered) = (_answered + 1, at);
            }
        }

        public BridgeCallTotals Totals()
        {
            lock (_calls) return new BridgeCallTotals(_answered, _bridgeFailures, _lastAnswered, _lastBridgeFailure);
        }

        public List<Call> Since(DateTimeOffset since)
        {
            lock (_calls)
            {
                var count = (int)Math.Min(_next, Capacity);
                var result = new List<Call>(count);
                for (var i = 0; i < count; i++)
                    if (_calls[i].At >= since) result.Add(_calls[i]);
                return result;
            }
        }
    }
}

/// <param name="PerSecond">Calls per second over the window.</param>
/// <param name="ErrorRate">Failed calls / calls, 0..1.</param>
/// <param name="P95Seconds">95th percentile duration.</param>
public sealed record BridgeCallSummary(double PerSecond, double ErrorRate, double P95Seconds, int Calls);

/// <param name="Successes">Calls the bridge answered (an error answer such as not-found included).</param>
/// <param name="Failures">Calls that failed the bridge: unavailable, timed out, internal or an unverified witness.</param>
public sealed record BridgeCallTotals(long Successes, long Failures, DateTimeOffset? LastSuccess, DateTimeOffset? LastFailure);
