using System.Collections.Concurrent;

namespace Gateway.Migrations;

/// <summary>Wakes progress streams when a job changes: one completion source per job, replaced on every change.</summary>
public sealed class MigrationProgress
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);

    public Task NextChange(string id) =>
        _signals.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Changed(string id)
    {
        if (_signals.TryRemove(id, out var signal)) signal.TrySetResult();
    }
}
