namespace Gateway.Channel.Audit;

/// <summary>
/// One audit entry: a witness, the leaf it is in the transparency log, and what the gateway did with the call.
/// Entries also form a hash chain (entry hash = SHA-256("CTP-96 audit v2\0" || seq (8) || previous hash ||
/// leaf index (8) || outcome length (2) || outcome || witness)); the signed heads are what makes it tamper-evident.
/// </summary>
public sealed record AuditEntry(
    long Sequence,
    string RequestId,
    string Operation,
    string Target,
    string Status,
    string Outcome,
    string HostKey,
    DateTimeOffset RecordedAt,
    long LeafIndex,
    byte[] Witness,
    byte[] PreviousHash,
    byte[] EntryHash);

/// <summary>A stored signed tree head, in the order the gateway received it.</summary>
public sealed record AuditHead(long Id, Witnesses.SignedTreeHead Head, byte[] HeadHash, DateTimeOffset RecordedAt);
