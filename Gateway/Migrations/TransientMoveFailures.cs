using Gateway.Bridges.Resilience;

namespace Gateway.Migrations;

/// <summary>
/// Which failures of an object's move are worth another try (rclone's retries): a store that does not answer, a timeout,
/// a platform's 5xx (Unavailable) or 429 (Throttled), a connection dropped mid-body. Never a verdict on the object: a
/// checksum or size mismatch is an outcome, not an exception, and a 4xx (not found, precondition failed, forbidden) says
/// the same next time.
/// </summary>
internal static class TransientMoveFailures
{
    public static bool IsTransient(Exception e) => e is TimeoutException || TransientFailures.IsTransient(e);

    /// <summary>
    /// The wait before retry <paramref name="retry"/> (1 for the first): the base delay doubled per retry, capped, then
    /// jittered down to half at random so objects failed together do not come back together.
    /// </summary>
    public static TimeSpan Backoff(int retry, MigrationOptions options)
    {
        var doubled = options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 30));
        var capped = Math.Min(doubled, options.RetryMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + Random.Shared.NextDouble() / 2));
    }
}

/// <summary>
/// Objects in a row whose move failed transiently after its retries. At <see cref="MigrationOptions.InterruptAfterFailures"/>
/// the job's run is stopped (interrupted) instead of failing every remaining object one at a time. Only an object that
/// ended well (moved or skipped) starts the count again: one that failed on its own account (a 4xx refusal, a checksum
/// mismatch) says nothing of whether the stores answer, so it neither counts nor resets, and a store that mixes refusals
/// with outages is stopped after the number of transient failures the setting says.
/// </summary>
internal sealed class TransientStreak(int limit, CancellationTokenSource stopRun)
{
    private int _count;
    private string? _lastError;

    /// <summary>The error of the object that reached the limit; null while the run goes on.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    public int Limit => limit;

    public bool Reached => LastError is not null;

    /// <summary>Counts how an object ended: <paramref name="transient"/> failures count, other failures are passed over, anything else resets.</summary>
    public void Ended(ItemOutcome outcome, bool transient)
    {
        if (transient) Failed(outcome.Error ?? "");
        else if (outcome.State != MigrationItemStates.Failed) Volatile.Write(ref _count, 0);
    }

    private void Failed(string error)
    {
        if (Interlocked.Increment(ref _count) < limit) return;
        Interlocked.CompareExchange(ref _lastError, error, null);
        stopRun.Cancel();
    }
}
