using Gateway.Contracts.ObjectStorage;

namespace Gateway.Migrations;

/// <summary>
/// The copies jobs wrote into one target bucket of a pair a migrating store fronts. Store times have whole seconds, so a
/// job's copy of a source version that changed again in the same second (written at the source directly, not through the
/// store) would pass for a service's write at the target by its time alone, and never be replaced (the session-43
/// migration probe, D7). A target object is the job's copy while it holds the copy's ETag and was not written after the
/// copy's second: an ETag alone is the content's MD5 on several stores, so a service writing the same bytes there later
/// would pass for the job's copy and lose its protection. A service's write in the very second of the copy, with the
/// very same bytes, still would (its bytes are then the copy's).
/// </summary>
internal sealed class FrontedCopies(MigrationDatabase db, string toStore, string bucket, string job)
{
    public bool IsJobsCopy(ObjectInfo targetObject) =>
        db.FrontedCopy(toStore, bucket, targetObject.Key) is { } copy
        && copy.ETag == targetObject.ETag
        && WholeSecond(targetObject.LastModified) <= WholeSecond(copy.Modified);

    /// <summary>The copy the job just wrote (before it is checked: one the job fails to remove again stays known as its own).</summary>
    public void Wrote(string targetKey, ObjectInfo written) => db.RecordFrontedCopy(toStore, bucket, targetKey, written.ETag, written.LastModified);

    /// <summary>The job removed its copy (it failed a check, or its source went): nothing at the key is the job's any more.</summary>
    public void Removed(string targetKey)
    {
        db.ForgetFrontedCopy(toStore, bucket, targetKey);
        ForgetMove(targetKey);
    }

    /// <summary>
    /// A move is deleting the source of <paramref name="atTarget"/>: from then on the object at the target is the only one,
    /// not a copy of the source's, and a sync must not delete it for being missing at the source (the session-48 probe: a
    /// sync after a move deleted everything the move had carried).
    /// </summary>
    public void Moved(string targetKey, ObjectInfo atTarget) => db.RecordFrontedMove(toStore, bucket, targetKey, atTarget.ETag, job);

    /// <summary>This job's move at the key did not happen after all (the source stays, or the copy goes): its record goes.</summary>
    public void ForgetMove(string targetKey) => db.ForgetFrontedMove(toStore, bucket, targetKey, job);

    /// <summary>
    /// The object a move left at the target, while it holds that ETag. By the ETag alone, not also by time as a copy is:
    /// a sync only ever keeps an object for it, so a match that is too wide keeps an object, never loses one, and the S3
    /// bridge states a put's time from the gateway's clock, which a service's clock ahead of it would have turned into a loss.
    /// </summary>
    public bool IsMoved(ObjectInfo targetObject) => db.FrontedMove(toStore, bucket, targetObject.Key) is { } moved && moved.ETag == targetObject.ETag;

    /// <summary>Another job moved exactly this object here (it found it identical and deleted the source).</summary>
    public bool IsMovedByAnother(ObjectInfo targetObject) =>
        db.FrontedMove(toStore, bucket, targetObject.Key) is { } moved && moved.ETag == targetObject.ETag && moved.Job != job;

    private static long WholeSecond(DateTimeOffset t) => t.ToUnixTimeSeconds();
}
