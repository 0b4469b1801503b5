using System.Security.Cryptography;
using Gateway.Contracts.Errors;

namespace Gateway.Security;

/// <summary>RFC 9530 Content-Digest of a request body, checked while the body streams through.</summary>
public static class ContentDigest
{
    public const string HeaderName = "Content-Digest";

    /// <summary>
    /// Wraps the request body in a <see cref="DigestVerifyingStream"/> when the request carries Content-Digest.
    /// sha-512 is preferred over sha-256 when both are sent; a header naming neither is refused.
    /// </summary>
    public static DigestVerifyingStream? VerifyWhileReading(HttpContext context, Action onMismatch)
    {
        if (!context.Request.Headers.TryGetValue(HeaderName, out var values) || context.Request.Body is DigestVerifyingStream) return null;
        IReadOnlyList<SfEntry> entries;
        try { entries = StructuredFields.ParseDictionary(string.Join(", ", values.ToArray())); }
        catch (FormatException) { throw new GatewayException(ErrorCode.BadRequest, "The Content-Digest header is malformed."); }
        var chosen = entries.FirstOrDefault(e => e.Key == "sha-512") ?? entries.FirstOrDefault(e => e.Key == "sha-256")
            ?? throw new GatewayException(ErrorCode.BadRequest, "Content-Digest must include sha-256 or sha-512.");
        if (chosen.Member.Value is not byte[] expected)
            throw new GatewayException(ErrorCode.BadRequest, "Content-Digest values are byte sequences (:base64:).");
        var algorithm = chosen.Key == "sha-512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;
        if (expected.Length != (chosen.Key == "sha-512" ? 64 : 32))
            throw new GatewayException(ErrorCode.BadRequest, $"The {chosen.Key} Content-Digest has the wrong length.");
        var verifying = new DigestVerifyingStream(context.Request.Body, algorithm, expected, context.Request.ContentLength, onMismatch);
        context.Request.Body = verifying;
        return verifying;
    }
}
