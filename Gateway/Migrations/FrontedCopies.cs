namespace Gateway.Migrations;

/// <summary>
/// The copies jobs wrote into one target bucket of a pair a migrating store fronts. Store times have whole seconds, so a
/// job's copy of a source version that changed again in the same second (written at the source directly, not through the
/// store) would pass for a service's write at the target by its time alone, and never be replaced; its ETag says it is
/// the job's own (the session-43 migration probe, D7).
/// </summary>
internal sealed class FrontedCopies(MigrationDatabase db, string toStore, string bucket)
{
    /// <summary>Whether <paramref name="targetObject"/> is still the copy a job last wrote at its key.</summary>
    public bool IsJobsCopy(Contracts.ObjectStorage.ObjectInfo targetObject) =>
        db.FrontedCopyETag(toStore, bucket, targetObject.Key) == targetObject.ETag;

    public void Wrote(string targetKey, string etag) => db.RecordFrontedCopy(toStore, bucket, targetKey, etag);
}
