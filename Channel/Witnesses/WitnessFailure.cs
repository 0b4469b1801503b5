using Gateway.Contracts.Errors;

namespace Gateway.Channel.Witnesses;

public enum WitnessFailure
{
    /// <summary>The stream ended (or broke) without a WITNESS.</summary>
    Missing,
    Malformed,
    /// <summary>A witness for another request id, operation or target.</summary>
    ForeignRequest,
    /// <summary>A signed tree head does not verify under the pinned bridge-host key.</summary>
    BadSignature,
    /// <summary>The body or header digests differ from what this side sent and received.</summary>
    DigestMismatch,
    /// <summary>The witness names another session (transcript hash).</summary>
    WrongSession,
    StatusMismatch,
    /// <summary>The verified witness could not be written to the audit log.</summary>
    AuditFailed,
    /// <summary>No signed head covered the witness within the bound.</summary>
    HeadMissing,
    /// <summary>The witness is not the leaf its index names, or a head's leaves do not reproduce its signed root.</summary>
    NotIncluded,
    /// <summary>A head covers fewer leaves than a head the gateway already holds.</summary>
    Rollback,
    /// <summary>Two heads of the same size with different roots.</summary>
    Fork,
    /// <summary>A head does not name the previous head (a head was dropped or the log was rewritten).</summary>
    BrokenHeadChain,
    /// <summary>A head covers a leaf whose WITNESS frame never came: the host signed a call it did not deliver.</summary>
    Unwitnessed,
}

/// <summary>The answer is not released: the bridge host's witness is missing or does not verify (HTTP 502, witness-failed).</summary>
public sealed class WitnessFailedException(WitnessFailure reason, string requestId)
    : GatewayException(ErrorCode.WitnessFailed, $"The bridge host's answer was not released: its witness failed ({Describe(reason)}).")
{
    public WitnessFailure Reason { get; } = reason;
    public string RequestId { get; } = requestId;

    internal static string Slug(WitnessFailure reason) => reason switch
    {
        WitnessFailure.Missing => "missing",
        WitnessFailure.Malformed => "malformed",
        WitnessFailure.ForeignRequest => "foreign-request",
        WitnessFailure.BadSignature => "bad-signature",
        WitnessFailure.DigestMismatch => "digest-mismatch",
        WitnessFailure.WrongSession => "wrong-session",
        WitnessFailure.StatusMismatch => "status-mismatch",
        WitnessFailure.AuditFailed => "audit-failed",
        WitnessFailure.HeadMissing => "head-missing",
        WitnessFailure.NotIncluded => "not-included",
        WitnessFailure.Rollback => "rollback",
        WitnessFailure.Fork => "fork",
        WitnessFailure.BrokenHeadChain => "broken-head-chain",
        WitnessFailure.Unwitnessed => "unwitnessed-leaf",
        _ => "invalid",
    };

    private static string Describe(WitnessFailure reason) => reason switch
    {
        WitnessFailure.Missing => "missing",
        WitnessFailure.Malformed => "malformed",
        WitnessFailure.ForeignRequest => "issued for another request",
        WitnessFailure.BadSignature => "bad signature",
        WitnessFailure.DigestMismatch => "digest mismatch",
        WitnessFailure.WrongSession => "wrong session",
        WitnessFailure.StatusMismatch => "status mismatch",
        WitnessFailure.AuditFailed => "audit log unavailable",
        WitnessFailure.HeadMissing => "no signed tree head covered it in time",
        WitnessFailure.NotIncluded => "not included in the signed tree",
        WitnessFailure.Rollback => "the bridge host's log was rolled back",
        WitnessFailure.Fork => "the bridge host's log forked",
        WitnessFailure.BrokenHeadChain => "the signed tree heads do not chain",
        WitnessFailure.Unwitnessed => "the signed tree covers a call whose witness never came",
        _ => "invalid",
    };
}
