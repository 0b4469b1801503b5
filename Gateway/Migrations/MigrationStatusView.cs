namespace Gateway.Migrations;

/// <summary>Builds the public view of a job from its row and its kept totals (no scan of its items).</summary>
internal static class MigrationStatusView
{
    public static MigrationStatus Of(JobRow job, MigrationDatabase db)
    {
        var totals = db.Totals(job.Id);
        var running = job.RunningTime;
        if (job.State == MigrationStates.Running && job.StartedAt is { } started && job.RunningTime == TimeSpan.Zero)
            running = DateTimeOffset.UtcNow - started;
        var moved = totals.Bytes.Done;
        var rate = running.TotalSeconds > 0.5 ? moved / running.TotalSeconds : 0;
        var left = totals.Bytes.Planned - totals.Bytes.Done - totals.Bytes.Skipped - totals.Bytes.Failed;
        double? eta = job.State == MigrationStates.Running && job.ListingDone && rate > 0 ? Math.Max(0, left) / rate : null;
        if (MigrationStates.IsTerminal(job.State)) eta = 0;
        return new MigrationStatus
        {
            Id = job.Id,
            State = job.State,
            Source = job.Spec.Source,
            Target = job.Spec.Target,
            Mode = job.Spec.Mode.ToString().ToLowerInvariant(),
            DryRun = job.Spec.DryRun,
            Verify = job.Spec.Verify.ToString().ToLowerInvariant(),
            Objects = totals.Objects,
            Bytes = totals.Bytes,
            DeletedAtTarget = totals.DeletedAtTarget,
            DeletedAtSource = totals.DeletedAtSource,
            NewerAtTarget = totals.NewerAtTarget,
            GoneAtSource = totals.GoneAtSource,
            Rate = Math.Round(rate, 1),
            EtaSeconds = eta is { } e ? Math.Round(e, 1) : null,
            CreatedAt = job.CreatedAt,
            StartedAt = job.StartedAt,
            FinishedAt = job.FinishedAt,
            LastError = job.LastError,
        };
    }
}
