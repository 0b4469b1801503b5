namespace Gateway.Migrations;

/// <summary>One side of a migration: a bucket of a configured store, optionally narrowed to a key prefix.</summary>
// A member the gateway does not know is refused (400), not ignored: "dry_run" must not start a real migration.
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record MigrationLocation(string Store, string Bucket, string? Prefix = null);

/// <summary>Body of POST /v1/migrations.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record MigrationRequest
{
    public MigrationLocation? Source { get; init; }
    public MigrationLocation? Target { get; init; }
    /// <summary>"copy" (default), "sync" or "move".</summary>
    public string? Mode { get; init; }
    public bool DryRun { get; init; }
    /// <summary>"checksum" (default), "size" or "none".</summary>
    public string? Verify { get; init; }
    /// <summary>Globs over the key relative to the source prefix (<c>*</c> stops at '/', <c>**</c> does not).</summary>
    public IReadOnlyList<string>? Include { get; init; }
    public IReadOnlyList<string>? Exclude { get; init; }
    /// <summary>Objects moved at once, 1-64 (default 8).</summary>
    public int? Concurrency { get; init; }
    /// <summary>Bytes per second read from the source, across the job; null or 0 for no limit.</summary>
    public long? BandwidthLimit { get; init; }
}

/// <summary>A job as GET /v1/migrations/{id} shows it.</summary>
public sealed record MigrationStatus
{
    public required string Id { get; init; }
    public required string State { get; init; }
    public required MigrationLocation Source { get; init; }
    public required MigrationLocation Target { get; init; }
    public required string Mode { get; init; }
    public required bool DryRun { get; init; }
    public required string Verify { get; init; }
    public required MigrationCounters Objects { get; init; }
    public required MigrationCounters Bytes { get; init; }
    /// <summary>Objects a sync deleted at the target because the source does not have them.</summary>
    public long DeletedAtTarget { get; init; }
    /// <summary>Source objects a move deleted once their copy at the target was verified (or found identical there).</summary>
    public long DeletedAtSource { get; init; }
    /// <summary>Every object the job deleted, at either side: <see cref="DeletedAtTarget"/> + <see cref="DeletedAtSource"/> (kept for callers of the older status, where it was a sync's deletions).</summary>
    public long Deleted => DeletedAtTarget + DeletedAtSource;
    /// <summary>
    /// Objects newer at the target than at the source, or only there: a service's writes, through a migrating store in front
    /// of the pair (docs/migrations.md has the rule), that the job left as they are: not copied over, and not deleted by a sync. Each is an item skipped / newer-at-target.
    /// </summary>
    public long NewerAtTarget { get; init; }
    /// <summary>
    /// Objects the job listed at the source that were gone from it when it came to move them (deleted by a writer or another
    /// job meanwhile): nothing left to move, so no failure. Each is an item skipped / gone-at-source (among <see cref="Objects"/>' skipped).
    /// </summary>
    public long GoneAtSource { get; init; }
    /// <summary>Bytes per second over the time the job has been running.</summary>
    public double Rate { get; init; }
    /// <summary>Seconds left at the current rate; null while unknown (listing not done, or no rate yet).</summary>
    public double? EtaSeconds { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string? LastError { get; init; }
}

public sealed record MigrationCounters(long Planned, long Done, long Skipped, long Failed);

public sealed record MigrationList(IReadOnlyList<MigrationStatus> Migrations, string? NextPageToken);

/// <summary>One object of a job: what was decided for it and how it ended.</summary>
/// <param name="SourceDeleted">A move deleted the source object (after its copy was verified, or found identical at the target).</param>
public sealed record MigrationItem(string Key, string State, string Action, long Size, string? Sha256, string? Error, bool SourceDeleted);

public sealed record MigrationItemList(IReadOnlyList<MigrationItem> Items, string? NextPageToken);

/// <summary>Job states (docs/migrations.md, "States"). Queued and running jobs are (re)started when the gateway starts.</summary>
public static class MigrationStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Completed = "completed";
    /// <summary>The run went through every object and some failed: resuming tries the failed ones again.</summary>
    public const string Failed = "failed";
    /// <summary>
    /// The run stopped early on transient errors (a store that does not answer): resuming continues where it stopped and
    /// tries the failed objects again.
    /// </summary>
    public const string Interrupted = "interrupted";
    public const string Cancelled = "cancelled";

    /// <summary>The job's run has ended (a progress stream ends, the ETA is 0). Failed and interrupted jobs can still be resumed.</summary>
    public static bool IsTerminal(string state) => state is Completed or Failed or Interrupted or Cancelled;

    /// <summary>Nothing can change the job any more.</summary>
    public static bool IsFinal(string state) => state is Completed or Cancelled;

    /// <summary>States <c>POST /resume</c> starts a job from.</summary>
    public static bool CanResume(string state) => state is Paused or Failed or Interrupted;
}

/// <summary>Item states and actions.</summary>
public static class MigrationItemStates
{
    public const string Done = "done";
    public const string Skipped = "skipped";
    public const string Failed = "failed";
    public const string Planned = "planned";

    public const string Copy = "copy";
    public const string Identical = "identical";
    public const string Delete = "delete";
    /// <summary>
    /// Behind a migrating store, the target holds a service's write: written since the store fronted the pair and not older
    /// than the source's version, or only at the target. It wins: not copied over, and a sync leaves it.
    /// </summary>
    public const string NewerAtTarget = "newer-at-target";
    /// <summary>The source object was deleted while it was being copied: the copy was removed again.</summary>
    public const string GoneAtSource = "gone-at-source";

    /// <summary>The states an item is in (the report's <c>state</c>, and its filter).</summary>
    public static readonly IReadOnlyList<string> ItemStates = [Planned, Done, Skipped, Failed];

    /// <summary>The actions an item records (the report's <c>action</c>, and its filter).</summary>
    public static readonly IReadOnlyList<string> ItemActions = [Copy, Identical, Delete, NewerAtTarget, GoneAtSource];
}
