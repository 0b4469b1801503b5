namespace Gateway.Bridges.Resilience;

/// <summary>What an instance's calls have shown lately; cheap, lock-free reads for status listings.</summary>
public sealed class BridgeHealthTracker(TimeProvider time)
{
    long _successes, _failures, _consecutiveFailures;
    long _lastSuccessTicks, _lastFailureTicks;
    volatile string? _lastError;

    public long Successes => Interlocked.Read(ref _successes);
    public long Failures => Interlocked.Read(ref _failures);
    public long ConsecutiveFailures => Interlocked.Read(ref _consecutiveFailures);
    public string? LastError => _lastError;
    public DateTimeOffset? LastSuccess => FromTicks(Interlocked.Read(ref _lastSuccessTicks));
    public DateTimeOffset? LastFailure => FromTicks(Interlocked.Read(ref _lastFailureTicks));

    public void RecordSuccess()
    {
        Interlocked.Increment(ref _successes);
        Interlocked.Exchange(ref _consecutiveFailures, 0);
        Interlocked.Exchange(ref _lastSuccessTicks, time.GetUtcNow().UtcTicks);
    }

    public void RecordFailure(string description)
    {
        Interlocked.Increment(ref _failures);
        Interlocked.Increment(ref _consecutiveFailures);
        _lastError = description;
        Interlocked.Exchange(ref _lastFailureTicks, time.GetUtcNow().UtcTicks);
    }

    static DateTimeOffset? FromTicks(long ticks) => ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
}
