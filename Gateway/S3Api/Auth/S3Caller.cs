using System.Security.Claims;

namespace Gateway.S3Api.Auth;

/// <summary>
/// An authenticated front-door request: who signed it, and what the body's signing mode asks of its reader. Signature and
/// SigningKey are SigV4's; they are null for SigV2 and browser POST uploads, which never stream aws-chunked bodies.
/// </summary>
public sealed record S3Caller(S3AccessKey Key, ClaimsPrincipal User, SigV4Request? Signature, byte[]? SigningKey, string PayloadHash)
{
    /// <summary>aws-chunked with a signature per chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]).</summary>
    public bool StreamingSigned => PayloadHash is SigV4.StreamingPayload or SigV4.StreamingPayloadTrailer;
    /// <summary>aws-chunked ending in trailers (e.g. x-amz-checksum-crc32).</summary>
    public bool StreamingTrailer => PayloadHash is SigV4.StreamingUnsignedTrailer or SigV4.StreamingPayloadTrailer;
    public bool Streaming => StreamingSigned || StreamingTrailer;
    /// <summary>The hex SHA-256 (lower case) the body must have, or null when the payload is unsigned or streamed in signed chunks.</summary>
    public string? ExpectedSha256 => PayloadHash.Length == 64 ? PayloadHash.ToLowerInvariant() : null;
}
