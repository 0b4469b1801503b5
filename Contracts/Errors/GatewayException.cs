namespace Gateway.Contracts.Errors;

/// <summary>
/// A failure with a gateway error code. The message is shown to callers, so it must never
/// carry secrets (credentials, tokens, signatures, connection strings).
/// </summary>
public class GatewayException(ErrorCode code, string message, Exception? inner = null) : Exception(message, inner)
{
    public ErrorCode Code { get; } = code;

    /// <summary>Seconds the caller should wait before retrying (throttled / unavailable), when known.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Extra facts for the problem document, e.g. the object size for a 416.</summary>
    public IReadOnlyDictionary<string, object?>? Extensions { get; init; }
}
