namespace Gateway.Channel.Witnesses;

/// <summary>
/// The gateway's transparency log: witnesses, their leaves and the signed heads over them. Every append is queued
/// synchronously in call order (a head before the entries it covers) and its task completes once it is durable,
/// which is what the gateway waits for before it releases an answer.
/// </summary>
public interface IWitnessSink
{
    /// <summary>What a new session continues from: the verified tree's right edge and the last signed head.</summary>
    LogCheckpoint Checkpoint { get; }

    /// <summary>
    /// Appends a verified head, its new leaves and the entries it covers, in leaf order (a pending one is kept aside
    /// until its outcome comes); throws when the head does not extend the log.
    /// </summary>
    Task AppendHeadAsync(HeadBatch batch, IReadOnlyList<HeadEntry> entries);

    /// <summary>Appends an entry whose leaf a stored head already covers.</summary>
    Task AppendEntryAsync(WitnessRecord entry);
}

/// <summary>The right edge of the verified tree and the last head (null for an empty log).</summary>
public sealed record LogCheckpoint(MerkleFrontier Frontier, SignedTreeHead? Head);

/// <summary>
/// One witness as the log keeps it. <see cref="Outcome"/> is what the gateway did with the call: "released", "abandoned"
/// (the caller went away before the answer) or "refused:&lt;reason&gt;" (the witness or its head failed a check).
/// A head's commit may also carry a "pending" record: the call still read its answer, so the log keeps its witness
/// aside (audit_pending) until the outcome entry comes.
/// </summary>
public sealed record WitnessRecord(long LeafIndex, byte[] Encoded, Witness Witness, string Outcome, string HostKey)
{
    /// <summary>Covered by a committed head before the gateway finished its own checks of the call; never an entry's outcome.</summary>
    public const string Pending = "pending";
    public const string Released = "released";
    public const string Abandoned = "abandoned";
    /// <summary>The host reset the stream because the answer body failed at its source; the witness says what was sent.</summary>
    public const string Interrupted = "interrupted";
    public static string Refused(WitnessFailure reason) => "refused:" + WitnessFailedException.Slug(reason);
}
