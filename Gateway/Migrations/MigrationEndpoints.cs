using System.Text;
using System.Text.Json;
using Gateway.Channel.Families;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.Migrations.Live;
using Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Migrations;

/// <summary>/v1/migrations: jobs that copy, sync or move a bucket (or a prefix of it) between any two stores.</summary>
public static class MigrationEndpoints
{
    private const string JobRoute = "/{id}";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static IEndpointRouteBuilder MapMigrationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/migrations").WithTags("Migrations");
        group.MapPost("/", Create).WithName("CreateMigration")
            .RequireGatewayAccess(Operation.Write, "migrations")
            .RequireGatewayAccess<RouteHandlerBuilder, MigrationRequest>(
                "read on the source prefix; read and write (and delete for sync) on the target prefix (read only for a dry run); delete on the source for move", Access)
            .WithSummary("Starts a migration job (202 with Location); the body is checked, stores and buckets included, before any job exists. 409 for a job from a cut-over store's From into its To, and while a migrating store fronts From and To for one that would write or delete in either other than From into To keeping bucket and prefix.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", List).WithName("ListMigrations").RequireGatewayAccess(Operation.Read, "migrations")
            .WithSummary("Migration jobs, newest first, a page at a time.");
        group.MapGet(JobRoute, Get).WithName("GetMigration").RequireGatewayAccess(Operation.Read, "migrations")
            .WithSummary("A job's state, counters, rate and ETA.").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet(JobRoute + "/items", Items).WithName("ListMigrationItems").RequireGatewayAccess(Operation.Read, "migrations")
            .WithSummary("The per-object report of a job: what a sync found at the target only (delete, newer-at-target), then the source objects, each part in key order; optionally of one state (planned, done, skipped, failed) and of one action (copy, identical, delete, newer-at-target, gone-at-source).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet(JobRoute + "/events", Events).WithName("StreamMigrationProgress").RequireGatewayAccess(Operation.Read, "migrations")
            .Produces(StatusCodes.Status200OK, contentType: "application/x-ndjson")
            .WithSummary("Live progress as NDJSON: the job's status on every change (at most 4 a second), ending when the job ends.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithoutRequestTimeout();
        group.MapPost(JobRoute + "/pause", Pause).WithName("PauseMigration").RequireGatewayAccess(Operation.Write, "migrations")
            .WithSummary("Pauses a queued or running job; an object in flight is moved again on resume. Needs the grants the job's creation needed.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost(JobRoute + "/resume", Resume).WithName("ResumeMigration").RequireGatewayAccess(Operation.Write, "migrations")
            .WithSummary("Resumes a paused, failed or interrupted job where it stopped; its failed objects are tried again. Needs the grants the job's creation needed; 409 once its stores were cut over, or while a migrating store fronts a pair it would write or delete in other than From into To keeping bucket and prefix.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost(JobRoute + "/cancel", Cancel).WithName("CancelMigration").RequireGatewayAccess(Operation.Write, "migrations")
            .WithSummary("Cancels a job that is not completed or cancelled; what it already moved stays, its open multipart uploads are aborted. Needs the grants the job's creation needed.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        app.MapCutoverEndpoints();
        return app;
    }

    private static async Task<Accepted<MigrationStatus>> Create(MigrationRequest request, BridgeRegistry<IObjectStore> stores, MigrationDatabase db,
        MigrationRunner runner, StoreCutovers cutovers, TimeProvider time, CancellationToken ct)
    {
        var spec = MigrationSpec.From(request);
        var source = Store(stores, spec.Source.Store, "source");
        var target = Store(stores, spec.Target.Store, "target");
        RequireAllowed(stores, spec);
        await RequireBucketAsync(source, spec.Source.Bucket, "source", ct);
        await RequireBucketAsync(target, spec.Target.Bucket, "target", ct);
        var id = "mig_" + Guid.NewGuid().ToString("N")[..20];
        lock (cutovers.Gate)
        {
            // Again where the job is made: a cutover taken while the buckets were asked is seen here, and one still
            // checking sees this job.
            RequireAllowed(stores, spec);
            db.CreateJob(id, spec, time.GetUtcNow());
        }
        runner.Start(id);
        return TypedResults.Accepted($"/v1/migrations/{id}", MigrationStatusView.Of(db.GetJob(id)!, db));
    }

    /// <summary>What a job meets when it is made or resumed: 409 for its stores cut over, or for a pair a migrating store fronts.</summary>
    private static void RequireAllowed(BridgeRegistry<IObjectStore> stores, MigrationSpec spec)
    {
        RequireNotCutOver(stores, spec);
        if (FrontedPairJobs.Refusal(stores.All.OfType<MigratingStore>(), spec) is { } refused) throw new GatewayException(ErrorCode.Conflict, refused);
    }

    /// <summary>
    /// After a cutover services write and delete in To alone, so a job from From into To would bring back what they deleted
    /// since (session-43 probe: a copy "last pass" after the cutover resurrected a deleted object). Refused with 409.
    /// </summary>
    private static void RequireNotCutOver(BridgeRegistry<IObjectStore> stores, MigrationSpec spec)
    {
        if (stores.All.OfType<MigratingStore>().FirstOrDefault(m => m.IsCutOver
                && string.Equals(m.Options.From, spec.Source.Store, StringComparison.OrdinalIgnoreCase)
                && string.Equals(m.Options.To, spec.Target.Store, StringComparison.OrdinalIgnoreCase)) is { } cut)
            throw new GatewayException(ErrorCode.Conflict,
                $"Store '{cut.Name}' was cut over from '{cut.Options.From}' to '{cut.Options.To}': services now write and delete in '{cut.Options.To}' alone, so a job from '{cut.Options.From}' into it would bring back what they deleted since.");
    }

    private static Ok<MigrationList> List(MigrationDatabase db, int? pageSize = null, string? pageToken = null)
    {
        if (pageSize is < 1 or > 1000) throw new GatewayException(ErrorCode.BadRequest, "pageSize must be between 1 and 1000.");
        long? before = null;
        if (!string.IsNullOrEmpty(pageToken))
        {
            before = long.TryParse(pageToken, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq) && seq > 0
                ? seq : throw new GatewayException(ErrorCode.BadRequest, "pageToken is not one this gateway gave out.");
        }
        var size = pageSize ?? 100;
        var jobs = db.ListJobs(before, size + 1);
        var page = jobs.Take(size).ToList();
        var next = jobs.Count > size ? page[^1].Seq.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new MigrationList(page.Select(j => MigrationStatusView.Of(j, db)).ToList(), next));
    }

    private static Ok<MigrationStatus> Get(string id, MigrationDatabase db) =>
        TypedResults.Ok(MigrationStatusView.Of(Job(db, id), db));

    private static Ok<MigrationItemList> Items(string id, MigrationDatabase db, string? state = null, string? action = null, int? pageSize = null, string? pageToken = null)
    {
        Job(db, id);
        if (state is not null && !MigrationItemStates.ItemStates.Contains(state, StringComparer.Ordinal))
            throw new GatewayException(ErrorCode.BadRequest, $"state must be one of: {string.Join(", ", MigrationItemStates.ItemStates)} (lower case).");
        if (action is not null && !MigrationItemStates.ItemActions.Contains(action, StringComparer.Ordinal))
            throw new GatewayException(ErrorCode.BadRequest, $"action must be one of: {string.Join(", ", MigrationItemStates.ItemActions)} (lower case).");
        if (pageSize is < 1 or > 1000) throw new GatewayException(ErrorCode.BadRequest, "pageSize must be between 1 and 1000.");
        var after = string.IsNullOrEmpty(pageToken) ? null : DecodeToken(pageToken);
        var size = pageSize ?? 1000;
        var rows = db.Items(id, state, after, size + 1, action);
        var page = rows.Take(size).ToList();
        // base64url: a token pasted into a query as given stays the same ('+' of plain base64 reads as a space).
        var next = rows.Count > size ? System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(page[^1].RawKey)) : null;
        return TypedResults.Ok(new MigrationItemList(page.Select(r => r.Item).ToList(), next));
    }

    private static async Task Events(string id, HttpContext context, MigrationDatabase db, MigrationProgress progress,
        IHostApplicationLifetime lifetime, CancellationToken requestAborted)
    {
        Job(db, id);
        context.Response.ContentType = "application/x-ndjson";
        // The gateway stopping ends the stream (a follower sees it end before the job did, as `migrate` says): without this,
        // an open stream held the stop for the host's whole shutdown timeout while the jobs ran on (session-43 probe).
        using var both = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, lifetime.ApplicationStopping);
        var ct = both.Token;
        try
        {
            await StreamAsync(id, context, db, progress, ct);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !requestAborted.IsCancellationRequested)
        {
        }
    }

    private static async Task StreamAsync(string id, HttpContext context, MigrationDatabase db, MigrationProgress progress, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var changed = progress.NextChange(id);
            var runEnd = progress.RunEnd(id);
            var status = MigrationStatusView.Of(Job(db, id), db);
            await context.Response.WriteAsync(JsonSerializer.Serialize(status, Json) + "\n", ct);
            await context.Response.Body.FlushAsync(ct);
            if (MigrationStates.IsTerminal(status.State)) return;
            // A paused job sends nothing until it changes; a heartbeat line every 15 s keeps proxies from closing the stream.
            await Task.WhenAny(changed, Task.Delay(TimeSpan.FromSeconds(15), ct));
            // At most four lines a second, except that the line saying the run ended is sent at once.
            await Task.WhenAny(runEnd, Task.Delay(TimeSpan.FromMilliseconds(250), ct));
            ct.ThrowIfCancellationRequested();
        }
    }

    private static Ok<MigrationStatus> Pause(string id, HttpContext context, MigrationRunner runner, MigrationDatabase db)
    {
        RequireJobGrants(context, Job(db, id));
        return TypedResults.Ok(MigrationStatusView.Of(runner.Stop(id, MigrationStates.Paused), db));
    }

    private static Ok<MigrationStatus> Resume(string id, HttpContext context, MigrationRunner runner, MigrationDatabase db, BridgeRegistry<IObjectStore> stores,
        StoreCutovers cutovers)
    {
        var job = Job(db, id);
        RequireJobGrants(context, job);
        lock (cutovers.Gate)
        {
            // A resumed job copies as a new one does: after a cutover it would bring back what services deleted in To since.
            RequireAllowed(stores, job.Spec);
            return TypedResults.Ok(MigrationStatusView.Of(runner.Resume(id), db));
        }
    }

    private static Ok<MigrationStatus> Cancel(string id, HttpContext context, MigrationRunner runner, MigrationDatabase db)
    {
        RequireJobGrants(context, Job(db, id));
        return TypedResults.Ok(MigrationStatusView.Of(runner.Stop(id, MigrationStates.Cancelled), db));
    }

    /// <summary>
    /// Acting on a job needs the grants its creation needed: a resume lists, writes and deletes again (objects added since
    /// included), so with <c>write:migrations</c> alone a caller resumed an admin's paused move and deleted a bucket it had
    /// no grant on (session-43 probe). Pause and cancel follow the same rule: one rule for every action on a job.
    /// </summary>
    private static void RequireJobGrants(HttpContext context, JobRow job)
    {
        var access = context.RequestServices.GetRequiredService<AccessEvaluator>();
        foreach (var a in JobAccesses(job.Spec))
        {
            if (access.Allows(context.User, a)) continue;
            context.RequestServices.GetRequiredService<SecurityEvents>().Denied(context, SecurityEvent.Forbidden, $"no {a.Operation.Name()} grant on the job's resource");
            throw new GatewayException(ErrorCode.Forbidden, $"The caller may not {a.Operation.Name()} '{a.Resource}', which this job needs.");
        }
    }

    private static JobRow Job(MigrationDatabase db, string id) => db.GetJob(id) ?? throw MigrationRunner.NotFound(id);

    private static string DecodeToken(string token)
    {
        try
        {
            // Plain base64 is what gateways before base64url gave out; a client paging across an upgrade still holds one.
            var bytes = token.AsSpan().IndexOfAny('+', '/', '=') >= 0 ? Convert.FromBase64String(token) : System.Buffers.Text.Base64Url.DecodeFromChars(token);
            // A token is a key the report holds: UTF-8 without NUL, at most 1024 characters (Azure's names are characters,
            // so up to 4 bytes each). Anything else was made up, not given out.
            if (bytes.Length is 0 or > 4 * ObjectNames.MaxKeyBytes || bytes.AsSpan().Contains((byte)0)) throw new FormatException();
            return StrictUtf8.GetString(bytes);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new GatewayException(ErrorCode.BadRequest, "pageToken is not one this gateway gave out.");
        }
    }

    private static IObjectStore Store(BridgeRegistry<IObjectStore> stores, string name, string field)
    {
        IObjectStore store;
        try { store = stores.Get(name); }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound)
        {
            throw new GatewayException(ErrorCode.BadRequest, $"{field}.store: no store named '{name}' is configured.");
        }
        if (store is MigratingStore m)
            throw new GatewayException(ErrorCode.BadRequest, $"{field}.store: '{name}' is a migrating store; migrate between its From ('{m.Options.From}') and To ('{m.Options.To}').");
        return store;
    }

    private static async Task RequireBucketAsync(IObjectStore store, string bucket, string field, CancellationToken ct)
    {
        if (!ObjectNames.CanHold(store.Capabilities, bucket))
            throw new GatewayException(ErrorCode.BadRequest, $"{field}.bucket: store '{store.Name}' cannot hold bucket names with '.'.");
        if (!await store.BucketExistsAsync(bucket, ct))
            throw new GatewayException(ErrorCode.BadRequest, $"{field}.bucket: store '{store.Name}' has no bucket '{bucket}'.");
    }

    /// <summary>The scopes a job needs, checked before it is created. A body the spec refuses is left to the handler.</summary>
    private static IEnumerable<ResourceAccess>? Access(MigrationRequest request, HttpContext context)
    {
        MigrationSpec spec;
        try { spec = MigrationSpec.From(request); }
        catch (GatewayException) { return null; }
        return JobAccesses(spec);
    }

    private static List<ResourceAccess> JobAccesses(MigrationSpec spec)
    {
        var source = $"stores/{spec.Source.Store}/buckets/{spec.Source.Bucket}/objects/{spec.SourcePrefix}";
        var target = $"stores/{spec.Target.Store}/buckets/{spec.Target.Bucket}/objects/{spec.TargetPrefix}";
        // Every job reads the target (its listing, HEADs, read-backs) and its report tells what the target holds (identical,
        // newer-at-target, and the keys a sync deletes or would delete): a dry run is a listing of the target by proxy.
        var accesses = new List<ResourceAccess> { new(Operation.Read, source, Prefix: true), new(Operation.Read, target, Prefix: true) };
        if (spec.DryRun) return accesses;
        accesses.Add(new(Operation.Write, target, Prefix: true));
        if (spec.Mode == MigrationMode.Sync) accesses.Add(new(Operation.Delete, target, Prefix: true));
        if (spec.Mode == MigrationMode.Move) accesses.Add(new(Operation.Delete, source, Prefix: true));
        return accesses;
    }
}
