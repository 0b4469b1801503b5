namespace Gateway.Channel.Audit;

/// <summary>One link of the audit chain: entry hash = SHA-256("CTP-96 audit v1\0" || seq (8, BE) || previous hash || witness bytes).</summary>
public sealed record AuditEntry(
    long Sequence,
    string RequestId,
    string Operation,
    string Target,
    string Status,
    string HostKey,
    DateTimeOffset RecordedAt,
    byte[] Witness,
    byte[] PreviousHash,
    byte[] EntryHash);
