using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Gateway.Channel.Families;
using Gateway.Contracts.Diagnostics;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Migrations;

/// <summary>
/// Runs migration jobs in the background. At start it resumes every job left queued or running (a restart, a
/// crash): the listing continues from the saved cursor and objects already finished are not moved again.
/// Pause and cancel stop a running job at once; an object in flight is simply not finished (stores write
/// atomically, so no partial object is ever visible) and is moved again on resume.
/// </summary>
public sealed partial class MigrationRunner(
    MigrationDatabase db, BridgeRegistry<IObjectStore> stores, MigrationProgress progress, TimeProvider time, ILogger<MigrationRunner> logger,
    MigrationMetrics metrics)
    : BackgroundService
{
    private const int PageSize = 1000;
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _tasks = new();
    private readonly Lock _control = new();
    private CancellationToken _stopping;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        metrics.Observe(() => _running.Count);
        foreach (var id in db.JobsInState(MigrationStates.Queued, MigrationStates.Running)) Start(id);
        return Task.CompletedTask;
    }

    public void Start(string id)
    {
        lock (_control)
        {
            if (_running.ContainsKey(id)) return;
            var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
            _running[id] = cts;
            var task = Task.Run(() => RunGuardedAsync(id, cts), CancellationToken.None);
            _tasks[task] = 0;
            task.ContinueWith(t => _tasks.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    /// <summary>Stops every job (they stay running in the database, to resume) and waits for them to record where they were.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        foreach (var cts in _running.Values)
        {
            try { cts.Cancel(); } catch (ObjectDisposedException) { }
        }
        await Task.WhenAll(_tasks.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves a job to <paramref name="state"/> (paused or cancelled) and stops it if it runs. Conflict when it already ended.</summary>
    public JobRow Stop(string id, string state)
    {
        lock (_control)
        {
            var job = db.GetJob(id) ?? throw NotFound(id);
            if (MigrationStates.IsTerminal(job.State))
                throw new GatewayException(ErrorCode.Conflict, $"Migration '{id}' has already ended ({job.State}).");
            if (state == MigrationStates.Paused && job.State == MigrationStates.Paused) return job;
            db.SetState(id, state, time.GetUtcNow());
            if (_running.TryGetValue(id, out var cts)) cts.Cancel();
            progress.Changed(id);
            return db.GetJob(id)!;
        }
    }

    public JobRow Resume(string id)
    {
        lock (_control)
        {
            var job = db.GetJob(id) ?? throw NotFound(id);
            if (job.State != MigrationStates.Paused)
                throw new GatewayException(ErrorCode.Conflict, $"Migration '{id}' is {job.State}, not paused.");
            db.SetState(id, MigrationStates.Queued, time.GetUtcNow());
            progress.Changed(id);
        }
        Start(id);
        return db.GetJob(id)!;
    }

    internal static GatewayException NotFound(string id) => new(ErrorCode.NotFound, $"No migration '{id}'.");

    private async Task RunGuardedAsync(string id, CancellationTokenSource cts)
    {
        var started = time.GetTimestamp();
        try
        {
            await RunAsync(id, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            // Paused, cancelled (the state is already written) or the gateway is stopping (it stays running, to resume).
            if (db.GetJob(id) is { State: MigrationStates.Cancelled } cancelled) await AbortUploadsAsync(cancelled).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogJobFailed(logger, e, id);
            db.SetState(id, MigrationStates.Failed, time.GetUtcNow(), Describe(e), onlyFrom: MigrationStates.Running);
        }
        finally
        {
            db.AddRunningTime(id, time.GetElapsedTime(started));
            lock (_control) _running.TryRemove(id, out _);
            cts.Dispose();
            progress.RunEnded(id);
        }
    }

    private async Task RunAsync(string id, CancellationToken ct)
    {
        lock (_control)
        {
            var current = db.GetJob(id);
            if (current is null || current.State is not (MigrationStates.Queued or MigrationStates.Running)) return;
            db.SetState(id, MigrationStates.Running, time.GetUtcNow());
        }
        progress.Changed(id);
        var job = db.GetJob(id)!;
        var spec = job.Spec;
        var source = stores.Get(spec.Source.Store);
        var target = stores.Get(spec.Target.Store);
        using var bandwidth = spec.BandwidthLimit > 0 ? Limiter(spec.BandwidthLimit) : null;
        var fronted = stores.All.OfType<Live.MigratingStore>().Any(m =>
            string.Equals(m.Options.From, spec.Source.Store, StringComparison.OrdinalIgnoreCase)
            && string.Equals(m.Options.To, spec.Target.Store, StringComparison.OrdinalIgnoreCase));
        var mover = new ObjectMover(spec, source, target, bandwidth, job.StartedAt ?? time.GetUtcNow(), fronted,
            new ResumableUpload(spec, source, target, bandwidth, db, id));
        var filter = new KeyFilter(spec.Include, spec.Exclude);
        LogJobRunning(logger, id, spec.Mode, spec.Source.Store, spec.Target.Store);

        var cursor = job.Cursor;
        var listingDone = job.ListingDone;
        var targetListing = new TargetListing(target, spec.Target.Bucket, spec.TargetPrefix, PageSize);

        // A source page, its admitted objects and what the target holds for them: one listing of the target per page
        // instead of a HEAD per object. Only one of these runs at a time (the target listing walks forward).
        async Task<ListedPage> ListPageAsync(string? pageToken)
        {
            var page = await source.ListObjectsAsync(spec.Source.Bucket,
                new ListObjectsRequest { Prefix = spec.Source.Prefix, PageSize = PageSize, PageToken = pageToken }, ct).ConfigureAwait(false);
            var admitted = page.Objects.Where(o => filter.Admits(o.Key[spec.SourcePrefix.Length..])).ToList();
            var atTarget = admitted.Count == 0
                ? new Dictionary<string, ObjectInfo>()
                : await targetListing.UpToAsync(spec.TargetKey(page.Objects[^1].Key),
                    admitted.Select(o => spec.TargetKey(o.Key)).ToHashSet(StringComparer.Ordinal), ct).ConfigureAwait(false);
            return new ListedPage(page, admitted, atTarget);
        }

        var pending = listingDone ? null : ListPageAsync(cursor);
        while (pending is not null)
        {
            var (page, admitted, atTarget) = await pending.ConfigureAwait(false);
            var todo = db.PlanPage(id, admitted, o => o.Key, o => o.Size, MigrationItemStates.Copy);
            progress.Changed(id);
            // The next page and its target window are listed while this page's objects move (the listings were 5-10 % of a
            // page's wall time when they ran between pages). The cursor still moves only once this page is finished.
            pending = page.NextPageToken is { } next ? ListPageAsync(next) : null;
            try
            {
                if (todo.Count > 0)
                {
                    await Parallel.ForEachAsync(todo, new ParallelOptions { MaxDegreeOfParallelism = spec.Concurrency, CancellationToken = ct },
                        async (o, token) => await MoveOneAsync(id, mover, o, atTarget.GetValueOrDefault(spec.TargetKey(o.Key)), token).ConfigureAwait(false)).ConfigureAwait(false);
                }
            }
            catch when (pending is not null)
            {
                // The job stops here (paused, cancelled, failed): the listing ahead is abandoned, its outcome observed.
                _ = pending.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                throw;
            }
            cursor = page.NextPageToken;
            listingDone = cursor is null;
            db.SetCursor(id, cursor, listingDone);
        }

        var totals = db.Totals(id);
        if (spec.Mode == MigrationMode.Sync && !job.DeletingDone)
        {
            if (totals.Objects.Failed > 0)
                db.SetLastError(id, $"sync deleted nothing at the target: {totals.Objects.Failed} object(s) failed in this run.");
            else
                await DeleteExtraneousAsync(id, spec, target, filter, mover, ct).ConfigureAwait(false);
        }
        totals = db.Totals(id);
        var failed = totals.Objects.Failed;
        ct.ThrowIfCancellationRequested();
        db.SetState(id, failed == 0 ? MigrationStates.Completed : MigrationStates.Failed, time.GetUtcNow(),
            failed == 0 ? null : $"{failed} object(s) failed; GET /v1/migrations/{id}/items?state=failed lists them.",
            onlyFrom: MigrationStates.Running);
        LogJobEnded(logger, id, failed);
    }

    private sealed record ListedPage(ObjectListing Page, List<ObjectInfo> Admitted, IReadOnlyDictionary<string, ObjectInfo> AtTarget);

    private async Task MoveOneAsync(string id, ObjectMover mover, ObjectInfo o, ObjectInfo? listedAtTarget, CancellationToken ct)
    {
        ItemOutcome outcome;
        try
        {
            outcome = await mover.MoveAsync(o, listedAtTarget, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
        catch (Exception e)
        {
            outcome = new ItemOutcome(MigrationItemStates.Failed, MigrationItemStates.Copy, null, Describe(e));
        }
        db.FinishItem(id, o.Key, outcome.State, outcome.Action, o.Size, outcome.Sha256, outcome.Error);
        metrics.Item(outcome.State, o.Size);
        if (outcome.Error is not null) db.SetLastError(id, $"{o.Key}: {outcome.Error}");
        progress.Changed(id);
    }

    /// <summary>A cancelled job's multipart uploads are aborted at the target (a paused one keeps them, to resume).</summary>
    private async Task AbortUploadsAsync(JobRow job)
    {
        try
        {
            var spec = job.Spec;
            await new ResumableUpload(spec, stores.Get(spec.Source.Store), stores.Get(spec.Target.Store), null, db, job.Id).AbortAllAsync().ConfigureAwait(false);
        }
        catch (GatewayException)
        {
            // Best effort (a store removed from the configuration): uploads nobody completes are reaped by the store.
        }
    }

    /// <summary>sync: removes target objects under the target prefix that the source (as filtered) does not have.</summary>
    private async Task DeleteExtraneousAsync(string id, MigrationSpec spec, IObjectStore target, KeyFilter filter, ObjectMover mover, CancellationToken ct)
    {
        string? token = null;
        do
        {
            var page = await target.ListObjectsAsync(spec.Target.Bucket,
                new ListObjectsRequest { Prefix = spec.Target.Prefix, PageSize = PageSize, PageToken = token }, ct).ConfigureAwait(false);
            foreach (var o in page.Objects)
            {
                var relative = o.Key[spec.TargetPrefix.Length..];
                var sourceKey = spec.SourcePrefix + relative;
                if (!filter.Admits(relative) || db.ItemState(id, sourceKey) is not null) continue;
                if (mover.WrittenSinceStart(o)) continue; // written by a service during the job: not the job's to delete
                if (!spec.DryRun)
                {
                    await target.DeleteObjectAsync(spec.Target.Bucket, o.Key, new ObjectConditions { IfMatch = [o.ETag] }, ct).ConfigureAwait(false);
                }
                // Recorded under the target key with a marker so it cannot collide with a source key of the same job.
                db.FinishItem(id, MigrationDatabase.DeleteMarker + o.Key, spec.DryRun ? MigrationItemStates.Planned : MigrationItemStates.Done,
                    MigrationItemStates.Delete, o.Size, null, null);
            }
            token = page.NextPageToken;
        } while (token is not null);
        db.SetDeletingDone(id);
    }

    private static TokenBucketRateLimiter Limiter(long bytesPerSecond)
    {
        var perTick = (int)Math.Clamp(bytesPerSecond / 10, 1, int.MaxValue);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(perTick, 64 * 1024),
            TokensPerPeriod = perTick,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    private static string Describe(Exception e) => e is GatewayException g ? $"{g.Code.Slug()}: {g.Message}" : "internal: " + e.GetType().Name;

    [LoggerMessage(EventId = EventIds.MigrationRunning, Level = LogLevel.Information, Message = "Migration {Id} running: {Mode} from store {Source} to store {Target}")]
    private static partial void LogJobRunning(ILogger logger, string id, MigrationMode mode, string source, string target);

    [LoggerMessage(EventId = EventIds.MigrationEnded, Level = LogLevel.Information, Message = "Migration {Id} ended with {Failed} failed object(s)")]
    private static partial void LogJobEnded(ILogger logger, string id, long failed);

    [LoggerMessage(EventId = EventIds.MigrationFailed, Level = LogLevel.Error, Message = "Migration {Id} failed")]
    private static partial void LogJobFailed(ILogger logger, Exception exception, string id);
}
