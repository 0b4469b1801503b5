using Gateway.Channel.Families;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.Routing;
using Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Migrations.Live;

/// <summary>POST /v1/stores/{store}/cutover: a migrating store becomes plain To, once a migration into To finished verified.</summary>
public static class CutoverEndpoints
{
    public static IEndpointRouteBuilder MapCutoverEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/stores/{store}/cutover", CutOver).WithName("CutOverStore").WithTags("Migrations").NamesBridge<RouteHandlerBuilder, IObjectStore>("store")
            .RequireGatewayAccess(Operation.Write, "migrations")
            .RequireGatewayAccess(Operation.Write, "stores/{store}")
            .WithSummary("Makes a migrating store plain To (idempotent); 409 unless a verified migration From to To has completed, none is still active, and none started after it can still be resumed.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<Ok<Cutover>> CutOver(string store, BridgeRegistry<IObjectStore> registry, MigrationDatabase db, StoreCutovers cutovers,
        TimeProvider time, CancellationToken ct)
    {
        if (registry.Get(store) is not MigratingStore migrating)
            throw new GatewayException(ErrorCode.Conflict, $"Store '{store}' is not a migrating store; only those are cut over.");
        if (cutovers.Find(migrating.Name) is { } done) return TypedResults.Ok(done);
        var (from, to) = (migrating.Options.From!, migrating.Options.To!);
        var jobs = db.JobsBetween(from, to);
        Justifying(jobs, from, to, db);
        await RequireMigratedBucketsAsync(registry.Get(to), jobs, ct);
        lock (cutovers.Gate)
        {
            // Checked again where it is recorded: a job created or resumed while To was asked is seen here.
            if (cutovers.Find(migrating.Name) is { } raced) return TypedResults.Ok(raced);
            var verified = Justifying(db.JobsBetween(from, to), from, to, db);
            return TypedResults.Ok(cutovers.Record(new Cutover(migrating.Name, from, to, verified.Id, time.GetUtcNow())));
        }
    }

    /// <summary>The verified job a cutover rests on; a 409 when there is none, or when a job still runs or can be resumed.</summary>
    private static JobRow Justifying(IReadOnlyList<JobRow> jobs, string from, string to, MigrationDatabase db)
    {
        if (jobs.FirstOrDefault(j => !MigrationStates.IsTerminal(j.State)) is { } active)
            throw new GatewayException(ErrorCode.Conflict, $"Migration '{active.Id}' from '{from}' to '{to}' is still {active.State}; cut over once it has completed.");
        // A job into another bucket or prefix of To put nothing where the migrating store reads, and one over a prefix or
        // through include/exclude filters says nothing of the rest of its bucket: neither can justify a cutover.
        var verified = jobs.FirstOrDefault(j => j.State == MigrationStates.Completed && !j.Spec.DryRun && j.Spec.Verify != VerifyMode.None
            && j.Spec.CoversWholeBucket && db.Totals(j.Id).Objects.Failed == 0)
            ?? throw new GatewayException(ErrorCode.Conflict,
                $"No migration from '{from}' to '{to}' of a whole bucket into the same bucket (no prefix, include or exclude) has completed with verification (checksum or size) and no failed object; run one first.");
        // A later job into where the store reads (a last pass for what changed since) that stopped early or with failed
        // objects left To behind From, and could be resumed: it is finished or cancelled first. The jobs come newest first.
        if (jobs.TakeWhile(j => j.Id != verified.Id).FirstOrDefault(j => !j.Spec.DryRun && j.Spec.KeepsNames && !MigrationStates.IsFinal(j.State)) is { } unfinished)
            throw new GatewayException(ErrorCode.Conflict,
                $"Migration '{unfinished.Id}' from '{from}' to '{to}', started after the verified '{verified.Id}', ended {unfinished.State} and can still be resumed; resume it to completion or cancel it, then cut over.");
        return verified;
    }

    /// <summary>
    /// Every bucket a finished job filled is still there in To, asked now: a cutover is kept, so one to a To whose bucket
    /// was deleted since (every read then 404) or that does not answer (every read 503) is refused, From still serving
    /// (session-43 probe: both cut over with 200). An unreachable To is the store's own 503.
    /// </summary>
    private static async Task RequireMigratedBucketsAsync(IObjectStore to, IEnumerable<JobRow> jobs, CancellationToken ct)
    {
        var buckets = jobs.Where(j => j.State == MigrationStates.Completed && !j.Spec.DryRun && j.Spec.KeepsNames)
            .Select(j => j.Spec.Target.Bucket).Distinct(StringComparer.Ordinal);
        foreach (var bucket in buckets)
            if (!await to.BucketExistsAsync(bucket, ct))
                throw new GatewayException(ErrorCode.Conflict,
                    $"Store '{to.Name}' no longer has bucket '{bucket}', which a finished migration filled; nothing was cut over (migrate it again first).");
    }
}
