using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.RateLimiting;
using Gateway.Channel.Families;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Diagnostics;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Extensions.Options;

namespace Gateway.Migrations;

/// <summary>
/// Runs migration jobs in the background. At start it resumes every job left queued or running (a restart, a
/// crash): the listing continues from the saved cursor and objects already finished are not moved again.
/// Pause and cancel stop a running job at once; an object in flight is simply not finished (stores write
/// atomically, so no partial object is ever visible) and is moved again on resume. An object whose move fails
/// transiently is tried again (<see cref="MigrationOptions"/>); a run whose objects keep failing that way stops as
/// interrupted, naming the store that does not answer, and resumes on request.
/// </summary>
public sealed partial class MigrationRunner(
    MigrationDatabase db, BridgeRegistry<IObjectStore> stores, MigrationProgress progress, TimeProvider time, ILogger<MigrationRunner> logger,
    MigrationMetrics metrics, IOptions<MigrationOptions> migrationOptions)
    : BackgroundService
{
    private readonly MigrationOptions _options = migrationOptions.Value;
    private const int PageSize = 1000;
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _tasks = new();
    private readonly Lock _control = new();
    private CancellationToken _stopping;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        metrics.Observe(() => _running.Count);
        // From now on services write these pairs' To through the migrating store: what it holds written since is theirs.
        // Built, not All: a remote-mode gateway's All waits for the bridge host's catalog, which must not hold up the start.
        foreach (var m in stores.Built.Select(b => b.Bridge).OfType<Live.MigratingStore>())
            if (m.Options is { From: { } from, To: { } to }) db.FrontedSince(from, to, time.GetUtcNow());
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
            Track(RunAsJob(id, () => RunGuardedAsync(id, cts)));
        }
    }

    /// <summary>
    /// Runs work of job <paramref name="id"/> apart from whatever request started it, as a run resumed at start is: the
    /// job id is the request id of its bridge calls (so <c>/v1/witnesses/{id}</c> lists the job's witnesses) and of its
    /// log lines' <c>GatewayRequestId</c> scope, and its calls' spans hang under one span of the run (a root, linked to
    /// the starting request's span, which ends long before the job).
    /// </summary>
    private Task RunAsJob(string id, Func<Task> work)
    {
        var starter = Activity.Current?.Context;
        if (ExecutionContext.IsFlowSuppressed()) return Run();
        using (ExecutionContext.SuppressFlow()) return Run();

        Task Run() => Task.Run(async () =>
        {
            ChannelRequestContext.RequestId = id;
            using var scope = logger.BeginScope("GatewayRequestId:{GatewayRequestId}", id);
            using var span = Tracing.StartActivity("migration run", ActivityKind.Internal, parentContext: default,
                links: starter is { } link ? [new ActivityLink(link)] : null);
            span?.SetTag("migration.id", id);
            await work().ConfigureAwait(false);
        }, CancellationToken.None);
    }

    private static readonly ActivitySource Tracing = new("Gateway.Migrations");

    /// <summary>A task of this runner that <see cref="StopAsync"/> waits for.</summary>
    private void Track(Task task)
    {
        _tasks[task] = 0;
        task.ContinueWith(t => _tasks.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>Stops every job (they stay running in the database, to resume) and waits for them to record where they were.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        foreach (var cts in _running.Values)
        {
            try { cts.Cancel(); } catch (ObjectDisposedException) { }
        }
        // Past the host's shutdown timeout the jobs still recording are left: they stay running in the database and run
        // again at the next start. Thrown from here, the cancellation ended the process with an unhandled exception.
        try { await Task.WhenAll(_tasks.Keys).WaitAsync(cancellationToken).ConfigureAwait(false); }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
    }

    /// <summary>
    /// Moves a job to <paramref name="state"/> (paused or cancelled) and stops it if it runs. Conflict when it is completed
    /// or cancelled, and for pausing a job that is not running (failed, interrupted: resume or cancel it).
    /// </summary>
    public JobRow Stop(string id, string state)
    {
        lock (_control)
        {
            var job = db.GetJob(id) ?? throw NotFound(id);
            if (MigrationStates.IsFinal(job.State))
                throw new GatewayException(ErrorCode.Conflict, $"Migration '{id}' has already ended ({job.State}).");
            if (state == MigrationStates.Paused && job.State == MigrationStates.Paused) return job;
            if (state == MigrationStates.Paused && MigrationStates.IsTerminal(job.State))
                throw new GatewayException(ErrorCode.Conflict, $"Migration '{id}' is {job.State}, not running: resume it or cancel it.");
            db.SetState(id, state, time.GetUtcNow());
            if (_running.TryGetValue(id, out var cts)) cts.Cancel();
            // Not running (paused, failed, interrupted): no run will abort the uploads it left open, so this does.
            else if (state == MigrationStates.Cancelled) Track(RunAsJob(id, () => AbortUploadsAsync(job)));
            progress.Changed(id);
            return db.GetJob(id)!;
        }
    }

    /// <summary>
    /// Starts a paused, failed or interrupted job again where it stopped: its failed objects are planned again and the
    /// listing continues from its cursor (docs/migrations.md, "States"). Conflict from any other state.
    /// </summary>
    public JobRow Resume(string id)
    {
        lock (_control)
        {
            var job = db.GetJob(id) ?? throw NotFound(id);
            if (!MigrationStates.CanResume(job.State) || !db.Requeue(id, job.State))
                throw new GatewayException(ErrorCode.Conflict, $"Migration '{id}' is {job.State}; only a paused, failed or interrupted job can be resumed.");
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
        catch (Exception e) when (e is RunInterruptedException || TransientMoveFailures.IsTransient(e))
        {
            // A store does not answer (objects failed transiently after their retries, none moved between; a listing page after its retries, or a
            // sync's deletion): stop, resumable.
            var cause = e is RunInterruptedException stopped ? stopped.Message : $"a listing or a sync deletion failed ({Describe(e)})";
            var why = await InterruptionAsync(id, cause).ConfigureAwait(false);
            LogJobInterrupted(logger, id, why.Sides);
            db.SetState(id, MigrationStates.Interrupted, time.GetUtcNow(), why.Message, onlyFrom: MigrationStates.Running);
        }
        catch (Exception e)
        {
            LogJobFailed(logger, e, id);
            db.SetState(id, MigrationStates.Failed, time.GetUtcNow(), Describe(e), onlyFrom: MigrationStates.Running);
        }
        finally
        {
            db.AddRunningTime(id, time.GetElapsedTime(started));
            lock (_control)
            {
                _running.TryRemove(id, out _);
                // Resumed while this run was ending (Start found it still registered): it runs again now.
                if (!_stopping.IsCancellationRequested && db.GetJob(id) is { State: MigrationStates.Queued }) Start(id);
            }
            cts.Dispose();
            progress.RunEnded(id);
        }
    }

    /// <summary>The run stopped because <see cref="TransientStreak"/> reached its limit; the message says why.</summary>
    private sealed class RunInterruptedException(string message) : Exception(message);

    /// <summary>
    /// The last error of an interrupted job: the cause, and which store does not answer now (one listing of one object on
    /// each side, bounded). The descriptions are the bridges' own errors: store names and codes, never a credential.
    /// </summary>
    private async Task<(string Message, string Sides)> InterruptionAsync(string id, string cause)
    {
        var spec = db.GetJob(id)!.Spec;
        var source = await UnreachableAsync(spec.Source).ConfigureAwait(false);
        var target = await UnreachableAsync(spec.Target).ConfigureAwait(false);
        var (where, sides) = (source, target) switch
        {
            ({ } s, { } t) => ($"the source store '{spec.Source.Store}' ({s}) and the target store '{spec.Target.Store}' ({t}) do not answer", "source and target"),
            ({ } s, null) => ($"the source store '{spec.Source.Store}' does not answer ({s})", "source"),
            (null, { } t) => ($"the target store '{spec.Target.Store}' does not answer ({t})", "target"),
            _ => ("both stores answer again", "neither"),
        };
        return ($"interrupted: {cause}; {where}. Resume the job (POST /v1/migrations/{id}/resume, or migrate resume {id}): it continues where it stopped and tries the failed objects again.", sides);
    }

    /// <summary>Why a store's bucket cannot be listed now, when that is a transient failure; null when it answers.</summary>
    private async Task<string?> UnreachableAsync(MigrationLocation location)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        bounded.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await stores.Get(location.Store).ListObjectsAsync(location.Bucket, new ListObjectsRequest { Prefix = location.Prefix, PageSize = 1 }, bounded.Token)
                .ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested) { return "no answer within 30 s"; }
        catch (Exception e) when (TransientMoveFailures.IsTransient(e)) { return Describe(e); }
        catch (GatewayException) { return null; } // it answered, if only to refuse
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
        // A job made before a migrating store fronted its pair (this start) ends failed, touching nothing, as a new one is refused.
        if (Live.FrontedPairJobs.Refusal(stores.All.OfType<Live.MigratingStore>(), spec) is { } refused)
            throw new GatewayException(ErrorCode.Conflict, refused);
        var source = stores.Get(spec.Source.Store);
        var target = stores.Get(spec.Target.Store);
        using var bandwidth = spec.BandwidthLimit > 0 ? BandwidthLimit.Limiter(spec.BandwidthLimit) : null;
        // The store mirrors bucket and key, so only a job that keeps both is one whose target services write through it.
        var fronted = spec.Source.Bucket == spec.Target.Bucket && spec.SourcePrefix == spec.TargetPrefix
            && stores.All.OfType<Live.MigratingStore>().Any(m =>
                string.Equals(m.Options.From, spec.Source.Store, StringComparison.OrdinalIgnoreCase)
                && string.Equals(m.Options.To, spec.Target.Store, StringComparison.OrdinalIgnoreCase));
        var frontedSince = fronted ? db.FrontedSince(spec.Source.Store, spec.Target.Store, time.GetUtcNow()) : DateTimeOffset.MaxValue;
        var mover = new ObjectMover(spec, source, target, bandwidth, frontedSince, fronted,
            new ResumableUpload(spec, source, target, bandwidth, db, id, _options.LargeObjectPartsInFlight),
            fronted ? new FrontedCopies(db, spec.Target.Store, spec.Target.Bucket, id) : null);
        var filter = new KeyFilter(spec.Include, spec.Exclude);
        LogJobRunning(logger, id, spec.Mode, spec.Source.Store, spec.Target.Store);

        var cursor = job.Cursor;
        var listingDone = job.ListingDone;
        var targetListing = new TargetListing(source, target, spec.Target.Bucket, spec.TargetPrefix, PageSize);
        // Cancelled (with the job's own token) when too many objects failed transiently with none moved between: the run stops, interrupted.
        using var stopRun = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var streak = new TransientStreak(_options.InterruptAfterFailures, stopRun);
        var jobCt = ct;
        ct = stopRun.Token;

        // A source page, its admitted objects and what the target holds for them: one listing of the target per page
        // instead of a HEAD per object. Only one of these runs at a time (the target listing walks forward). Transient
        // failures are tried again as an object's are; the target window, only a hint, may then miss objects.
        Task<ListedPage> ListPageAsync(string? pageToken) => RetryingAsync(id, async (_, attemptCt) =>
        {
            var page = await source.ListObjectsAsync(spec.Source.Bucket,
                new ListObjectsRequest { Prefix = spec.Source.Prefix, PageSize = PageSize, PageToken = pageToken }, attemptCt).ConfigureAwait(false);
            var admitted = page.Objects.Where(o => filter.Admits(o.Key[spec.SourcePrefix.Length..])).ToList();
            var atTarget = admitted.Count == 0
                ? new Dictionary<string, ObjectInfo>()
                : await targetListing.UpToAsync(page.Objects.Select(o => spec.TargetKey(o.Key)),
                    admitted.Select(o => spec.TargetKey(o.Key)).ToHashSet(StringComparer.Ordinal), attemptCt).ConfigureAwait(false);
            return new ListedPage(page, admitted, atTarget);
        }, ct);

        try
        {
            await MoveEverythingAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (streak.Reached && !jobCt.IsCancellationRequested)
        {
            throw new RunInterruptedException($"{streak.Limit} object(s) failed with transient errors after {_options.ObjectRetries} retries each, none moved or skipped in between (last: {streak.LastError})");
        }

        async Task MoveEverythingAsync()
        {
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
                            async (o, token) => await MoveOneAsync(id, streak, o.Key, o.Size, async (triedSince, attemptCt) =>
                            {
                                // A key the window did not find, where the stores list in different orders, is looked up (HEAD): taken as
                                // absent, its create-only write was refused by the object there and then counted as this job's copy.
                                var outcome = triedSince is null && (atTarget.TryGetValue(spec.TargetKey(o.Key), out var listed) || targetListing.Whole)
                                    ? await mover.MoveAsync(o, listed, attemptCt).ConfigureAwait(false)
                                    : await mover.MoveAsync(o, attemptCt, triedSince).ConfigureAwait(false);
                                return (outcome, outcome.Size ?? o.Size);
                            }, token).ConfigureAwait(false)).ConfigureAwait(false);
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
            await MoveReplannedAsync(id, spec, source, mover, streak, ct).ConfigureAwait(false);

            var totals = db.Totals(id);
            if (spec.Mode == MigrationMode.Sync && !job.DeletingDone)
            {
                // A dry run deletes nothing anyway: it still names what a sync would delete (migrate check lists it).
                if (totals.Objects.Failed > 0 && !spec.DryRun)
                    db.SetLastError(id, $"sync deleted nothing at the target: {totals.Objects.Failed} object(s) failed in this run.");
                else
                    await DeleteExtraneousAsync(id, spec, source, target, filter, mover, ct).ConfigureAwait(false);
            }
            totals = db.Totals(id);
            var failed = totals.Objects.Failed;
            ct.ThrowIfCancellationRequested();
            db.SetState(id, failed == 0 ? MigrationStates.Completed : MigrationStates.Failed, time.GetUtcNow(),
                failed == 0 ? null : $"{failed} object(s) failed; GET /v1/migrations/{id}/items?state=failed lists them, and resuming the job tries them again.",
                onlyFrom: MigrationStates.Running);
            LogJobEnded(logger, id, failed);
        }
    }

    /// <summary>
    /// After the listing: the objects a resume planned again whose page the listing had already passed (a failed job's,
    /// or an interrupted job's before its cursor), and (but in a dry run, whose planned items are its answer) the objects
    /// an earlier run listed and left planned (in flight at a pause, an interruption or a stop) that the listing did not
    /// show again: deleted at the source meanwhile. Each is looked up at the source (HEAD) and moved as a listed one is;
    /// one gone from the source meanwhile is skipped (gone-at-source).
    /// </summary>
    private async Task MoveReplannedAsync(string id, MigrationSpec spec, IObjectStore source, ObjectMover mover, TransientStreak streak, CancellationToken ct)
    {
        string? after = null;
        while (db.ReplannedItems(id, after, PageSize, untried: !spec.DryRun) is { Count: > 0 } page)
        {
            await Parallel.ForEachAsync(page, new ParallelOptions { MaxDegreeOfParallelism = spec.Concurrency, CancellationToken = ct },
                async (item, token) => await MoveOneAsync(id, streak, item.Key, item.Size, async (triedSince, attemptCt) =>
                {
                    var now = await ObjectMover.HeadOrNullAsync(source, spec.Source.Bucket, item.Key, attemptCt).ConfigureAwait(false);
                    if (now is null) return (new ItemOutcome(MigrationItemStates.Skipped, MigrationItemStates.GoneAtSource, null, null), item.Size);
                    var outcome = await mover.MoveAsync(now, attemptCt, triedSince).ConfigureAwait(false);
                    return (outcome, outcome.Size ?? now.Size);
                }, token).ConfigureAwait(false)).ConfigureAwait(false);
            after = page[^1].Key;
        }
    }

    private sealed record ListedPage(ObjectListing Page, List<ObjectInfo> Admitted, IReadOnlyDictionary<string, ObjectInfo> AtTarget);

    /// <summary>
    /// Moves one object with <paramref name="attempt"/> (given null on the first try, else when the first try began) and
    /// records how it ended, once: a transient failure is tried again after a back-off, up to
    /// <see cref="MigrationOptions.ObjectRetries"/> times, before the object is failed (its multipart upload, if any, is
    /// kept, so a resume sends only the parts missing).
    /// </summary>
    private async Task MoveOneAsync(string id, TransientStreak streak, string key, long size,
        Func<DateTimeOffset?, CancellationToken, Task<(ItemOutcome Outcome, long Size)>> attempt, CancellationToken ct)
    {
        ItemOutcome outcome;
        var transient = false;
        var firstTry = time.GetUtcNow();
        try
        {
            (outcome, size) = await RetryingAsync(id, (retry, attemptCt) => attempt(retry == 0 ? null : firstTry, attemptCt), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
        // The run stopped (paused, cancelled, interrupted) while the call failed, perhaps of that: not this object's end.
        catch (Exception e) when (ct.IsCancellationRequested) { throw new OperationCanceledException("The run stopped.", e, ct); }
        catch (Exception e)
        {
            outcome = new ItemOutcome(MigrationItemStates.Failed, MigrationItemStates.Copy, null, Describe(e));
            transient = TransientMoveFailures.IsTransient(e);
        }
        db.FinishItem(id, key, outcome.State, outcome.Action, size, outcome.Sha256, outcome.Error, outcome.SourceDeleted, keepUpload: transient);
        metrics.Item(outcome.State, size);
        if (outcome.Error is not null) db.SetLastError(id, $"{key}: {outcome.Error}");
        progress.Changed(id);
        streak.Ended(outcome, transient);
    }

    /// <summary>
    /// Runs <paramref name="call"/> (given the number of the retry, 0 first), again after a jittered, doubling back-off
    /// when it fails transiently, up to <see cref="MigrationOptions.ObjectRetries"/> times; the last failure is thrown.
    /// </summary>
    private async Task<T> RetryingAsync<T>(string id, Func<int, CancellationToken, Task<T>> call, CancellationToken ct)
    {
        for (var retry = 0; ; retry++)
        {
            try
            {
                return await call(retry, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (retry < _options.ObjectRetries && TransientMoveFailures.IsTransient(e) && !ct.IsCancellationRequested)
            {
                var delay = TransientMoveFailures.Backoff(retry + 1, _options);
                LogRetrying(logger, id, retry + 1, _options.ObjectRetries, delay.TotalMilliseconds, Describe(e));
                await Task.Delay(delay, time, ct).ConfigureAwait(false);
            }
        }
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
    private async Task DeleteExtraneousAsync(string id, MigrationSpec spec, IObjectStore source, IObjectStore target, KeyFilter filter, ObjectMover mover, CancellationToken ct)
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
                if (!filter.Admits(relative)) continue;
                // A source key the job listed is the source's, unless it went from the source after the listing: then its
                // copy at the target is one the source does not have, provided the source still does not (looked at again).
                if (db.ItemState(id, sourceKey) is { } listed
                    && (listed.Action != MigrationItemStates.GoneAtSource
                        || await ObjectMover.HeadOrNullAsync(source, spec.Source.Bucket, sourceKey, ct).ConfigureAwait(false) is not null))
                    continue;
                // What a move carried here: its source is gone because the move deleted it, not the source's to take back.
                if (mover.MovedHere(o)) continue;
                // Recorded under the target key with a marker so it cannot collide with a source key of the same job.
                if (mover.WrittenWhileFronted(o))
                {
                    // Written since a migrating store fronted the pair, whose deletes reach both sides: a service's new object,
                    // not the job's to delete, and named (a check does not hide it).
                    db.FinishItem(id, MigrationDatabase.DeleteMarker + o.Key, MigrationItemStates.Skipped, MigrationItemStates.NewerAtTarget, o.Size, null, null);
                    continue;
                }
                if (!spec.DryRun)
                {
                    await target.DeleteObjectAsync(spec.Target.Bucket, o.Key, new ObjectConditions { IfMatch = [o.ETag] }, ct).ConfigureAwait(false);
                }
                db.FinishItem(id, MigrationDatabase.DeleteMarker + o.Key, spec.DryRun ? MigrationItemStates.Planned : MigrationItemStates.Done,
                    MigrationItemStates.Delete, o.Size, null, null);
            }
            token = page.NextPageToken;
        } while (token is not null);
        db.SetDeletingDone(id);
    }

    private static string Describe(Exception e) => e is GatewayException g ? $"{g.Code.Slug()}: {g.Message}" : "internal: " + e.GetType().Name;

    [LoggerMessage(EventId = EventIds.MigrationRunning, Level = LogLevel.Information, Message = "Migration {Id} running: {Mode} from store {Source} to store {Target}")]
    private static partial void LogJobRunning(ILogger logger, string id, MigrationMode mode, string source, string target);

    [LoggerMessage(EventId = EventIds.MigrationEnded, Level = LogLevel.Information, Message = "Migration {Id} ended with {Failed} failed object(s)")]
    private static partial void LogJobEnded(ILogger logger, string id, long failed);

    [LoggerMessage(EventId = EventIds.MigrationObjectRetrying, Level = LogLevel.Information,
        Message = "Migration {Id}: a call failed transiently, retry {Retry} of {Retries} in {DelayMs:0} ms ({Error})")]
    private static partial void LogRetrying(ILogger logger, string id, int retry, int retries, double delayMs, string error);

    [LoggerMessage(EventId = EventIds.MigrationInterrupted, Level = LogLevel.Warning, Message = "Migration {Id} interrupted: store not answering: {Sides}")]
    private static partial void LogJobInterrupted(ILogger logger, string id, string sides);

    [LoggerMessage(EventId = EventIds.MigrationFailed, Level = LogLevel.Error, Message = "Migration {Id} failed")]
    private static partial void LogJobFailed(ILogger logger, Exception exception, string id);
}
