using System.Collections.Concurrent;

namespace Gateway.Migrations;

/// <summary>
/// Wakes progress streams when a job changes: one completion source per job, replaced on every change; and, apart from
/// that, when a job's run ends (completed, failed, paused, cancelled), so a stream that paces its lines reports the end at once.
/// </summary>
public sealed class MigrationProgress
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _runEnds = new(StringComparer.Ordinal);

    public Task NextChange(string id) => Next(_signals, id);

    public void Changed(string id) => Fire(_signals, id);

    /// <summary>Completes when the job's current (or next) run ends.</summary>
    public Task RunEnd(string id) => Next(_runEnds, id);

    public void RunEnded(string id)
    {
        Fire(_runEnds, id);
        Fire(_signals, id);
    }

    private static Task Next(ConcurrentDictionary<string, TaskCompletionSource> signals, string id) =>
        signals.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private static void Fire(ConcurrentDictionary<string, TaskCompletionSource> signals, string id)
    {
        if (signals.TryRemove(id, out var signal)) signal.TrySetResult();
    }
}
