using Gateway.Bridges;
using Gateway.ChannelHosting;
using Gateway.Migrations;

namespace Gateway.Status;

/// <summary>What the status page shows, gathered once per request from the gateway's own state (no platform is called).</summary>
public sealed record StatusSnapshot(
    DateTimeOffset At,
    IReadOnlyList<(BridgeDescription Bridge, BridgeCallSummary? Calls)> Bridges,
    AuditHeadStatus? AuditHead,
    IReadOnlyList<MigrationStatus> Migrations,
    IReadOnlyList<Refusal> Refusals,
    IReadOnlyDictionary<string, long> RefusalTotals)
{
    public static StatusSnapshot Take(IServiceProvider services)
    {
        var calls = services.GetRequiredService<BridgeCallStatistics>();
        var bridges = BridgeEndpoints.Describe(services).Select(b => (b, calls.Summarize(b.Kind, b.Name))).ToList();
        var refusals = services.GetRequiredService<RecentRefusals>();
        return new StatusSnapshot(services.GetRequiredService<TimeProvider>().GetUtcNow(), bridges,
            AuditHeadStatus.Check(services.GetRequiredService<ChannelRuntime>()),
            ActiveMigrations(services.GetRequiredService<MigrationDatabase>()),
            refusals.Latest(), refusals.Totals());
    }

    private static List<MigrationStatus> ActiveMigrations(MigrationDatabase db) =>
        db.JobsInState(MigrationStates.Queued, MigrationStates.Running, MigrationStates.Paused, MigrationStates.Interrupted)
            .Select(db.GetJob).OfType<JobRow>().Select(job => MigrationStatusView.Of(job, db)).ToList();
}

/// <summary>
/// The latest signed tree head and whether it verifies: its hybrid signature under a pinned bridge-host key, and its
/// root against the Merkle frontier the log holds for the leaves it stored (O(log n); `audit verify` re-reads the
/// whole database).
/// </summary>
public sealed record AuditHeadStatus(long TreeSize, string RootHash, DateTimeOffset Timestamp, string HostKey, bool SignatureVerifies, bool RootMatchesLog,
    long UnresolvedCalls)
{
    public bool Verifies => SignatureVerifies && RootMatchesLog;

    public static AuditHeadStatus? Check(ChannelRuntime runtime)
    {
        var checkpoint = runtime.Audit.Checkpoint;
        if (checkpoint.Head is not { } head) return null;
        var signed = runtime.HostKeys.Any(head.VerifySignature);
        var rootMatches = checkpoint.Frontier.Size == head.TreeSize && checkpoint.Frontier.Root().AsSpan().SequenceEqual(head.RootHash);
        return new AuditHeadStatus(head.TreeSize, Convert.ToHexStringLower(head.RootHash), head.Timestamp, head.HostKey, signed, rootMatches,
            runtime.Audit.PendingCounts.Unresolved);
    }
}
