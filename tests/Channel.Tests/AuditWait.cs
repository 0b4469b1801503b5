using System.Diagnostics;
using Gateway.Channel.Audit;

namespace Gateway.Channel.Tests;

internal static class AuditWait
{
    /// <summary>Waits on the audit log itself (the server-side signal) for a matching entry, with a deadline.</summary>
    public static async Task<AuditEntry> ForEntryAsync(AuditLog audit, Func<AuditEntry, bool> match, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if ((await audit.ReadAsync(0, 1000, default)).FirstOrDefault(match) is { } entry) return entry;
            await Task.Delay(20); // polling interval of a bounded wait
        }
        throw new TimeoutException($"No audit entry for {what} within 30 s.");
    }

    public static Task<AuditEntry> EntryAsync(AuditLog audit, long leafIndex) =>
        ForEntryAsync(audit, e => e.LeafIndex == leafIndex, $"leaf {leafIndex}");

    /// <summary>Waits for the first pending leaf (a call still reading its answer when its head was committed).</summary>
    public static async Task<PendingWitness> PendingAsync(AuditLog audit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if ((await audit.ReadPendingAsync(10, default)).FirstOrDefault() is { } pending) return pending;
            await Task.Delay(20); // polling interval of a bounded wait
        }
        throw new TimeoutException("No pending leaf within 30 s.");
    }
}
