namespace Gateway.Bridges.Rest.Forwarding;

/// <summary>
/// The total and attempt timeouts of a REST call with a body. They measure the upstream, not the caller: both stop
/// while the bridge waits for the caller's next body bytes, so a slow upload is neither cut off as the upstream's
/// timeout nor counted against its circuit (a session-43 probe: ten 300 KB uploads over 25 KB/s links were answered
/// 504 and opened the circuit for every caller). A stalled caller is Kestrel's to end (its minimum body data rate).
/// </summary>
sealed class UpstreamClocks(TimeSpan total, TimeSpan attempt, TimeProvider time) : IDisposable
{
    readonly Lock _lock = new();
    readonly List<PausableTimeout> _running = [];
    bool _waiting;

    public PausableTimeout Total { get; } = Started(new PausableTimeout(total, time));

    /// <summary>A clock for the next attempt; stopped now if the caller's body is being awaited.</summary>
    public PausableTimeout StartAttempt()
    {
        lock (_lock)
        {
            _running.RemoveAll(t => t.IsDisposed);
            var clock = new PausableTimeout(attempt, time);
            if (!_waiting) clock.Resume();
            _running.Add(clock);
            return clock;
        }
    }

    public void WaitingForCaller() => Set(waiting: true);

    public void CallerAnswered() => Set(waiting: false);

    void Set(bool waiting)
    {
        lock (_lock)
        {
            if (_waiting == waiting) return;
            _waiting = waiting;
            foreach (var clock in _running.Append(Total))
                if (waiting) clock.Pause();
                else clock.Resume();
        }
    }

    static PausableTimeout Started(PausableTimeout clock)
    {
        clock.Resume();
        return clock;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var clock in _running) clock.Dispose();
            Total.Dispose();
        }
    }
}

/// <summary>A timeout whose token is cancelled once it has run for <see cref="Timeout"/>, counting only the time it was not paused.</summary>
sealed class PausableTimeout(TimeSpan timeout, TimeProvider time) : IDisposable
{
    readonly CancellationTokenSource _source = new(System.Threading.Timeout.InfiniteTimeSpan, time);
    readonly Lock _lock = new();
    TimeSpan _left = timeout;
    long _resumedAt;
    bool _running;

    public TimeSpan Timeout { get; } = timeout;
    public CancellationToken Token => _source.Token;
    public bool Expired => _source.IsCancellationRequested;
    public bool IsDisposed { get; private set; }

    public void Resume()
    {
        lock (_lock)
        {
            if (_running || IsDisposed) return;
            _running = true;
            _resumedAt = time.GetTimestamp();
            _source.CancelAfter(_left > TimeSpan.Zero ? _left : TimeSpan.Zero);
        }
    }

    public void Pause()
    {
        lock (_lock)
        {
            if (!_running || IsDisposed) return;
            _running = false;
            _left -= time.GetElapsedTime(_resumedAt);
            if (!_source.IsCancellationRequested) _source.CancelAfter(System.Threading.Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (IsDisposed) return;
            IsDisposed = true;
            _source.Dispose();
        }
    }
}
