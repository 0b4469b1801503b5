using Gateway.Contracts.Errors;

namespace Gateway.Channel.Witnesses;

public enum WitnessFailure
{
    /// <summary>The stream ended (or broke) without a WITNESS.</summary>
    Missing,
    Malformed,
    /// <summary>A witness for another request id, operation or target.</summary>
    ForeignRequest,
    /// <summary>The hybrid signature does not verify under the pinned bridge-host key.</summary>
    BadSignature,
    /// <summary>The body or header digests differ from what this side sent and received.</summary>
    DigestMismatch,
    /// <summary>The witness names another session (transcript hash).</summary>
    WrongSession,
    StatusMismatch,
    /// <summary>The verified witness could not be written to the audit log.</summary>
    AuditFailed,
}

/// <summary>The answer is not released: the bridge host's witness is missing or does not verify (HTTP 502, witness-failed).</summary>
public sealed class WitnessFailedException(WitnessFailure reason, string requestId)
    : GatewayException(ErrorCode.WitnessFailed, $"The bridge host's answer was not released: its witness failed ({Describe(reason)}).")
{
    public WitnessFailure Reason { get; } = reason;
    public string RequestId { get; } = requestId;

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
        _ => "invalid",
    };
}
