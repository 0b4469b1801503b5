using System.Security.Claims;

namespace Gateway.S3Api.Auth;

/// <summary>An authenticated front-door request: who signed it, and what the body's signing mode asks of its reader.</summary>
public sealed record S3Caller(S3AccessKey Key, ClaimsPrincipal User, SigV4Request Signature, byte[] SigningKey, string PayloadHash)
{
    public bool StreamingSigned => PayloadHash == SigV4.StreamingPayload;
    public bool StreamingUnsignedTrailer => PayloadHash == SigV4.StreamingUnsignedTrailer;
    public bool Streaming => StreamingSigned || StreamingUnsignedTrailer;
    /// <summary>The hex SHA-256 the body must have, or null when the payload is unsigned or streamed in signed chunks.</summary>
    public string? ExpectedSha256 => PayloadHash.Length == 64 ? PayloadHash : null;
}
