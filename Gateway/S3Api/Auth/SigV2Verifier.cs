using System.Globalization;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Hosting;
using Gateway.Security;
using Microsoft.Extensions.Options;

namespace Gateway.S3Api.Auth;

/// <summary>
/// Checks a request signed with AWS Signature Version 2 (<c>Authorization: AWS id:signature</c>, or the presigned
/// <c>AWSAccessKeyId</c>/<c>Expires</c>/<c>Signature</c> query) against the same access keys, callers and scopes as
/// SigV4. Fails closed; served only while <c>Gateway:S3:SignatureV2</c> is on.
/// </summary>
public sealed class SigV2Verifier(S3AccessKeyStore keys, IOptions<S3Options> options, TimeProvider time, SecurityEvents events)
{
    public const string AuthMethod = "s3-sigv2";
    /// <summary>Browser POST uploads: the caller signed the form's policy (SigV2 or SigV4).</summary>
    public const string PostPolicyAuthMethod = "s3-post-policy";
    private const string Prefix = "AWS ";
    /// <summary>The longest a presigned URL may still be valid for (SigV4's X-Amz-Expires limit).</summary>
    public static readonly TimeSpan MaxPresignedLifetime = TimeSpan.FromSeconds(604800);

    public static bool IsV2(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length > 0) return authorization.StartsWith(Prefix, StringComparison.Ordinal);
        var q = request.Query;
        return !q.ContainsKey("X-Amz-Algorithm") && (q.ContainsKey("AWSAccessKeyId") || q.ContainsKey("Signature"));
    }

    public S3Caller Verify(HttpContext context)
    {
        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        return authorization.Length > 0 ? VerifyHeader(context, authorization[Prefix.Length..]) : VerifyQuery(context);
    }

    private S3Caller VerifyHeader(HttpContext context, string credentials)
    {
        var request = context.Request;
        var colon = credentials.LastIndexOf(':');
        if (colon <= 0 || colon == credentials.Length - 1)
        {
            events.Denied(context, SecurityEvent.BadSignature, "malformed SigV2 Authorization header");
            throw S3Errors.InvalidArgument("AWS authorization header is invalid.  Expected AwsAccessKeyId:signature");
        }
        var keyId = credentials[..colon].Trim();
        var signature = credentials[(colon + 1)..];
        // S3 judges the date before the signature: a missing or unreadable one is AccessDenied, a distant one RequestTimeTooSkewed.
        var hasAmzDate = request.Headers.TryGetValue("x-amz-date", out var amzDate);
        var dateText = hasAmzDate ? amzDate.ToString() : request.Headers.Date.ToString();
        if (!SigV2.TryParseDate(dateText, out var signedAt) || signedAt.Year < 1970)
        {
            events.Denied(context, SecurityEvent.StaleSignature, "SigV2 request without a valid Date or x-amz-date");
            throw S3Errors.AccessDenied("AWS authentication requires a valid Date or x-amz-date header");
        }
        if ((time.GetUtcNow() - signedAt).Duration() > TimeSpan.FromMinutes(options.Value.ClockSkewMinutes))
        {
            events.Denied(context, SecurityEvent.StaleSignature, "SigV2 request time outside the clock-skew window");
            throw S3Errors.RequestTimeTooSkewed();
        }
        var key = Find(context, keyId);
        // With x-amz-date S3 signs an empty Date line; some old clients (botocore's HmacV1) sign the Date header's value there.
        var dates = hasAmzDate && request.Headers.Date.ToString() is { Length: > 0 } date ? new[] { "", date } : [hasAmzDate ? "" : dateText];
        if (!Matches(request, key, dates, signature))
        {
            events.Denied(context, SecurityEvent.BadSignature, "SigV2 signature does not match");
            throw S3Errors.SignatureDoesNotMatch();
        }
        return Accept(context, key);
    }

    private S3Caller VerifyQuery(HttpContext context)
    {
        var request = context.Request;
        var q = request.Query;
        if (q["AWSAccessKeyId"] is not { Count: 1 } keyId || q["Signature"] is not { Count: 1 } signature || q["Expires"] is not { Count: 1 } expiresText)
        {
            events.Denied(context, SecurityEvent.BadSignature, "incomplete SigV2 query authentication");
            throw S3Errors.AccessDenied("Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters");
        }
        if (!long.TryParse(expiresText[0], NumberStyles.None, CultureInfo.InvariantCulture, out var expires) || expires > 253402300799)
        {
            events.Denied(context, SecurityEvent.BadSignature, "SigV2 Expires is not a time");
            throw S3Errors.AccessDenied("Invalid date (should be seconds since epoch): " + expiresText[0]);
        }
        var key = Find(context, keyId[0] ?? "");
        if (!Matches(request, key, [expiresText[0]!], signature[0] ?? ""))
        {
            events.Denied(context, SecurityEvent.BadSignature, "SigV2 presigned signature does not match");
            throw S3Errors.SignatureDoesNotMatch();
        }
        if (DateTimeOffset.FromUnixTimeSeconds(expires) < time.GetUtcNow())
        {
            events.Denied(context, SecurityEvent.StaleSignature, "SigV2 presigned URL expired");
            throw S3Errors.AccessDenied("Request has expired");
        }
        // S3 takes any V2 Expires; a bearer URL good for centuries is a standing credential. Held to SigV4's week.
        if (DateTimeOffset.FromUnixTimeSeconds(expires) > time.GetUtcNow().Add(MaxPresignedLifetime))
        {
            events.Denied(context, SecurityEvent.StaleSignature, "SigV2 presigned URL valid for more than a week");
            throw S3Errors.AccessDenied("Expires must be at most 604800 seconds (a week) from now, as for Signature Version 4 presigned URLs.");
        }
        return Accept(context, key);
    }

    /// <summary>A key id that exists (revocation and expiry are judged after the signature, as for SigV4).</summary>
    public S3AccessKey Find(HttpContext context, string keyId)
    {
        if (keys.Find(keyId) is { } key) return key;
        events.Denied(context, SecurityEvent.InvalidCredentials, "unknown S3 access key id");
        throw S3Errors.InvalidAccessKeyId();
    }

    /// <summary>The caller of a request whose signature matched: refused if the key is revoked or expired.</summary>
    public S3Caller Accept(HttpContext context, S3AccessKey key, string method = AuthMethod)
    {
        var now = time.GetUtcNow();
        if (key.Revoked) { events.Denied(context, SecurityEvent.RevokedCredentials, "revoked S3 access key"); throw S3Errors.InvalidAccessKeyId(); }
        if (key.ExpiresAt is { } expires && expires <= now) { events.Denied(context, SecurityEvent.ExpiredCredentials, "expired S3 access key"); throw S3Errors.InvalidAccessKeyId(); }
        var user = CallerClaims.Create(key.Caller, method, method, key.Scopes);
        context.User = user;
        return new S3Caller(key, user, null, null, method == AuthMethod ? PayloadHash(context.Request) : SigV4.UnsignedPayload);
    }

    /// <summary>SigV2 does not sign the body; a hex x-amz-content-sha256 is still checked, aws-chunked needs SigV4.</summary>
    private static string PayloadHash(HttpRequest request)
    {
        var header = request.Headers["x-amz-content-sha256"].ToString();
        if (header.Length == 64 && header.All(Uri.IsHexDigit)) return header.ToLowerInvariant();
        if (header.StartsWith("STREAMING-", StringComparison.Ordinal))
            throw S3Errors.InvalidRequest("aws-chunked uploads need AWS Signature Version 4.");
        return SigV4.UnsignedPayload;
    }

    private bool Matches(HttpRequest request, S3AccessKey key, string[] dates, string signature)
    {
        var matched = false;
        foreach (var resource in ResourcePaths(request))
            foreach (var date in dates)
                matched |= SigV2.SignatureEquals(SigV2.Sign(key.SecretBytes, SigV2.StringToSign(request, date, resource)), signature);
        return matched;
    }

    /// <summary>
    /// /bucket/key as the client addressed it: the raw path after the path base, with the bucket from the host for
    /// virtual-host requests. A bare bucket is /bucket/ in S3's rule; clients that sign /bucket as sent are taken too.
    /// botocore's SigV2 signer also signs its operation's fixed query (the leading <c>uploads</c>, <c>list-type=2</c>,
    /// <c>select&amp;select-type=2</c>) as part of the path, before the sub-resources: those forms are tried as well.
    /// Every form still signs the method, the path and the sub-resources, under the same secret.
    /// </summary>
    private IEnumerable<string> ResourcePaths(HttpRequest request)
    {
        var path = ResourcePath(request);
        var paths = path.Length > 1 && path.IndexOf('/', 1) < 0 ? new[] { path + "/", path } : [path];
        foreach (var p in paths) yield return p;
        var (_, rawQuery) = CanonicalRequest.RawTarget(request);
        var parts = rawQuery.Split('&');
        for (var n = 1; n <= Math.Min(2, parts.Length) && rawQuery.Length > 0; n++)
            foreach (var p in paths)
                yield return p + "?" + string.Join('&', parts.Take(n));
    }

    private string ResourcePath(HttpRequest request)
    {
        var (path, _) = CanonicalRequest.RawTarget(request);
        var pathBase = request.PathBase.Value ?? "";
        if (pathBase.Length > 0 && path.StartsWith(pathBase, StringComparison.OrdinalIgnoreCase)) path = path[pathBase.Length..];
        if (path.Length == 0) path = "/";
        var baseDomain = options.Value.BaseDomain;
        var host = request.Host.Host;
        if (!string.IsNullOrEmpty(baseDomain) && host.Length > baseDomain.Length + 1 && host.EndsWith("." + baseDomain, StringComparison.OrdinalIgnoreCase))
            return "/" + host[..^(baseDomain.Length + 1)].ToLowerInvariant() + path; // the bucket as S3Addressing routes it
        return path;
    }
}
