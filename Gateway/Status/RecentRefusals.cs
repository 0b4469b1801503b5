using System.Diagnostics.Metrics;
using Gateway.Security;

namespace Gateway.Status;

/// <summary>
/// The last refusals by reason, for the status page, from this gateway's own <c>gateway.security.refusals</c>
/// counter (the reason is a fixed slug; nothing from the request is kept).
/// </summary>
public sealed class RecentRefusals : IDisposable
{
    public const int Capacity = 50;

    private readonly MeterListener _listener = new();
    private readonly Queue<Refusal> _recent = new();
    private readonly Dictionary<string, long> _totals = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public RecentRefusals(IMeterFactory meters, TimeProvider time)
    {
        _time = time;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only this gateway's meter: tests run several gateways in one process.
            if (instrument.Meter.Scope == meters && instrument.Meter.Name == SecurityEvents.MeterName && instrument.Name == SecurityEvents.CounterName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(OnRefusal);
        _listener.Start();
    }

    private void OnRefusal(Instrument instrument, long count, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var reason = "unknown";
        foreach (var tag in tags)
            if (tag.Key == "reason" && tag.Value is string r) reason = r;
        lock (_recent)
        {
            _recent.Enqueue(new Refusal(_time.GetUtcNow(), reason));
            while (_recent.Count > Capacity) _recent.Dequeue();
            _totals[reason] = _totals.GetValueOrDefault(reason) + count;
        }
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<Refusal> Latest()
    {
        lock (_recent) return _recent.Reverse().ToList();
    }

    /// <summary>Refusals since start, by reason.</summary>
    public IReadOnlyDictionary<string, long> Totals()
    {
        lock (_recent) return new Dictionary<string, long>(_totals);
    }

    public void Dispose() => _listener.Dispose();
}

public sealed record Refusal(DateTimeOffset At, string Reason);
