using System.Collections.Concurrent;

namespace Gateway.Security;

/// <summary>
/// Remembers signature nonces until their signature could no longer be accepted anyway, so a replay is refused.
/// In memory by default; replicas behind a load balancer need a shared implementation (e.g. Redis SET NX PX).
/// </summary>
public interface INonceStore
{
    /// <summary>False when <paramref name="key"/> was already seen and has not yet expired.</summary>
    ValueTask<bool> TryRememberAsync(string key, DateTimeOffset until, CancellationToken ct);
}

public sealed class InMemoryNonceStore(TimeProvider time) : INonceStore
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private long _adds;

    public ValueTask<bool> TryRememberAsync(string key, DateTimeOffset until, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if ((Interlocked.Increment(ref _adds) & 1023) == 0) Purge(now);
        while (true)
        {
            if (_seen.TryAdd(key, until)) return ValueTask.FromResult(true);
            if (!_seen.TryGetValue(key, out var existing)) continue;
            if (existing > now) return ValueTask.FromResult(false);
            if (_seen.TryUpdate(key, until, existing)) return ValueTask.FromResult(true);
        }
    }

    private void Purge(DateTimeOffset now)
    {
        foreach (var (key, until) in _seen)
            if (until <= now) _seen.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, until));
    }
}
