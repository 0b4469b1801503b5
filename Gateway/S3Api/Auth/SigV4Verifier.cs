using Gateway.S3Api.Errors;
using Gateway.S3Api.Hosting;
using Gateway.Security;
using Microsoft.Extensions.Options;

namespace Gateway.S3Api.Auth;

/// <summary>
/// Checks a request's SigV4 signature (header or presigned query) against the configured access keys, the front
/// door's region and the clock-skew window. Fails closed: anything malformed, unknown or stale is an S3 error.
/// The front door's one entry for request authentication: SigV2 requests are handed to <see cref="SigV2Verifier"/>.
/// </summary>
public sealed class SigV4Verifier(S3AccessKeyStore keys, IOptions<S3Options> options, TimeProvider time, SecurityEvents events, SigV2Verifier v2)
{
    public const string AuthMethod = "s3-sigv4";

    private static bool CarriesQueryCredentials(IQueryCollection query) =>
        query.ContainsKey("X-Amz-Algorithm") || query.ContainsKey("X-Amz-Credential") || query.ContainsKey("X-Amz-Signature")
        || query.ContainsKey("AWSAccessKeyId");

    public S3Caller Verify(HttpContext context)
    {
        var request = context.Request;
        var s3 = options.Value;
        if (request.Headers.Authorization.ToString().Length > 0 && CarriesQueryCredentials(request.Query))
        {
            events.Denied(context, SecurityEvent.BadSignature, "both an Authorization header and presigned query parameters");
            throw S3Errors.InvalidArgument("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified");
        }
        // Legacy clients sign with SigV2; while it is off such requests get SigV4's "use AWS4-HMAC-SHA256" refusal below.
        if (s3.SignatureV2 && SigV2Verifier.IsV2(request)) return v2.Verify(context);
        SigV4Request? signed;
        try { signed = SigV4Request.Parse(request); }
        catch (S3Exception) { events.Denied(context, SecurityEvent.BadSignature, "malformed SigV4 credentials"); throw; }
        if (signed is null)
        {
            events.Denied(context, SecurityEvent.MissingCredentials, "no SigV4 credentials");
            throw S3Errors.AccessDenied("Anonymous access is not allowed: sign the request with AWS Signature Version 4.");
        }
        if (signed.Region != s3.Region)
        {
            events.Denied(context, SecurityEvent.BadSignature, "SigV4 credential scope names another region");
            var message = $"the region '{signed.Region}' is wrong; expecting '{s3.Region}'";
            var error = signed.Presigned
                ? S3Errors.AuthorizationQueryParametersError("Error parsing the X-Amz-Credential parameter; " + message)
                : S3Errors.AuthorizationHeaderMalformed("The authorization header is malformed; " + message);
            throw new S3Exception(error.Code, error.Status, error.Message) { Details = [("Region", s3.Region)] };
        }
        var key = keys.Find(signed.AccessKeyId);
        if (key is null)
        {
            events.Denied(context, SecurityEvent.InvalidCredentials, "unknown S3 access key id");
            throw S3Errors.InvalidAccessKeyId();
        }
        var payloadHash = PayloadHash(request, signed);
        var canonical = CanonicalRequest.Build(request, signed.SignedHeaders, payloadHash, signed.Presigned);
        var signingKey = SigV4.SigningKey(key.Aws4Secret, signed.ScopeDate, signed.Region);
        var expected = SigV4.Sign(signingKey, SigV4.StringToSign(signed.AmzDate, signed.Scope, canonical));
        if (!SigV4.SignatureEquals(expected, signed.Signature))
        {
            events.Denied(context, SecurityEvent.BadSignature, "SigV4 signature does not match");
            throw S3Errors.SignatureDoesNotMatch();
        }
        if (UnsignedAmzHeaders(request, signed) is { Length: > 0 } unsigned)
        {
            events.Denied(context, SecurityEvent.BadSignature, "x-amz-* headers present that the signature does not cover");
            throw new S3Exception("AccessDenied", 403, "There were headers present in the request which were not signed") { Details = [("HeadersNotSigned", unsigned)] };
        }
        var now = time.GetUtcNow();
        var skew = TimeSpan.FromMinutes(s3.ClockSkewMinutes);
        if (signed.Presigned)
        {
            // Compared as intervals from now, never as dates moved: X-Amz-Date may be 0001-01-01 or 9999-12-31, and a date
            // moved past either end throws (a 500 for a correctly signed URL).
            if (signed.Time > now + skew) { events.Denied(context, SecurityEvent.StaleSignature, "presigned URL not yet valid"); throw S3Errors.AccessDenied("Request is not valid yet"); }
            if (now - signed.Time > TimeSpan.FromSeconds(signed.ExpiresSeconds)) { events.Denied(context, SecurityEvent.StaleSignature, "presigned URL expired"); throw S3Errors.AccessDenied("Request has expired"); }
        }
        else if ((now - signed.Time).Duration() > skew)
        {
            events.Denied(context, SecurityEvent.StaleSignature, "SigV4 request time outside the clock-skew window");
            throw S3Errors.RequestTimeTooSkewed();
        }
        if (key.Revoked) { events.Denied(context, SecurityEvent.RevokedCredentials, "revoked S3 access key"); throw S3Errors.InvalidAccessKeyId(); }
        if (key.ExpiresAt is { } expires && expires <= now) { events.Denied(context, SecurityEvent.ExpiredCredentials, "expired S3 access key"); throw S3Errors.InvalidAccessKeyId(); }
        var user = CallerClaims.Create(key.Caller, AuthMethod, AuthMethod, key.Scopes);
        context.User = user;
        return new S3Caller(key, user, signed, signingKey, payloadHash);
    }

    /// <summary>
    /// The x-amz-* headers the signature does not cover, as S3 names them (lower case, ", "-joined). S3 refuses these: an
    /// unsigned header could change what a signed request does, e.g. turn a presigned PUT into a copy of another object
    /// (x-amz-copy-source) or add tags and metadata. x-amz-content-sha256 and x-amz-date are covered either way: their
    /// values are the canonical request's payload hash and the string to sign's time.
    /// </summary>
    private static string UnsignedAmzHeaders(HttpRequest request, SigV4Request signed)
    {
        List<string>? unsigned = null;
        foreach (var header in request.Headers)
        {
            if (!header.Key.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase)) continue;
            var name = header.Key.ToLowerInvariant();
            if (name is "x-amz-content-sha256" or "x-amz-date" || signed.SignedHeaders.Contains(name)) continue;
            (unsigned ??= []).Add(name);
        }
        if (unsigned is null) return "";
        unsigned.Sort(StringComparer.Ordinal);
        return string.Join(", ", unsigned);
    }

    private static string PayloadHash(HttpRequest request, SigV4Request signed)
    {
        var header = request.Headers["x-amz-content-sha256"].ToString();
        if (signed.Presigned) return header.Length > 0 ? header : SigV4.UnsignedPayload;
        if (header.Length == 0) throw S3Errors.InvalidRequest("Missing required header for this request: x-amz-content-sha256");
        if (header is SigV4.UnsignedPayload or SigV4.StreamingPayload or SigV4.StreamingUnsignedTrailer or SigV4.StreamingPayloadTrailer) return header;
        if (header.Length != 64 || !header.All(Uri.IsHexDigit))
            throw S3Errors.InvalidArgument("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD or a hex SHA-256.", "x-amz-content-sha256", header);
        // Verbatim: the client signed the header's own value (upper-case hex too) as the canonical request's payload line.
        return header;
    }
}
