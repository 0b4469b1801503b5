using System.Security.Cryptography;
using System.Text;
using Gateway.S3Api.Auth;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Hosting;
using Gateway.Security;
using Microsoft.Extensions.Options;

namespace Gateway.S3Api.Operations.PostObject;

/// <summary>
/// Who signed a browser POST upload's policy: SigV2 (<c>AWSAccessKeyId</c>, <c>signature</c> = base64 HMAC-SHA1 of
/// the base64 policy) or SigV4 (<c>x-amz-algorithm</c>, <c>x-amz-credential</c>, <c>x-amz-date</c>,
/// <c>x-amz-signature</c> = hex HMAC-SHA256 of the base64 policy under the scope's signing key). A form without a
/// policy is anonymous, and the gateway has no public buckets: refused.
/// </summary>
public sealed class PostObjectAuth(IOptions<S3Options> options, SecurityEvents events, SigV2Verifier v2)
{
    public S3Caller Authenticate(HttpContext context, PostForm form)
    {
        if (form["policy"] is not { Length: > 0 } policy)
        {
            events.Denied(context, SecurityEvent.MissingCredentials, "anonymous POST upload");
            throw S3Errors.AccessDenied("Anonymous POST uploads are not allowed: sign a policy.");
        }
        if (form["x-amz-algorithm"] is { } algorithm) return SigV4(context, form, policy, algorithm);
        if (!options.Value.SignatureV2)
        {
            events.Denied(context, SecurityEvent.BadSignature, "SigV2 POST policy while SignatureV2 is off");
            throw S3Errors.InvalidRequest("The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
        }
        if (form["AWSAccessKeyId"] is not { Length: > 0 } keyId) throw Missing("AWSAccessKeyId");
        if (form["signature"] is not { Length: > 0 } signature) throw Missing("Signature");
        var key = v2.Find(context, keyId);
        if (!SigV2.SignatureEquals(SigV2.Sign(key.SecretBytes, policy), signature))
        {
            events.Denied(context, SecurityEvent.BadSignature, "POST policy SigV2 signature does not match");
            throw S3Errors.SignatureDoesNotMatch();
        }
        return v2.Accept(context, key, SigV2Verifier.PostPolicyAuthMethod);
    }

    private S3Caller SigV4(HttpContext context, PostForm form, string policy, string algorithm)
    {
        if (algorithm != Auth.SigV4.Algorithm) throw S3Errors.InvalidArgument("x-amz-algorithm only supports \"AWS4-HMAC-SHA256\".", "x-amz-algorithm", algorithm);
        if (form["x-amz-credential"] is not { Length: > 0 } credential) throw Missing("x-amz-credential");
        if (form["x-amz-date"] is not { Length: > 0 } date) throw Missing("x-amz-date");
        if (form["x-amz-signature"] is not { Length: > 0 } signature) throw Missing("x-amz-signature");
        var parts = credential.Split('/');
        if (parts.Length != 5 || parts[0].Length == 0 || parts[3] != Auth.SigV4.Service || parts[4] != Auth.SigV4.Terminator
            || !SigV4Request.TryParseAmzDate(date, out _) || !date.StartsWith(parts[1], StringComparison.Ordinal) || parts[1].Length != 8)
            throw S3Errors.InvalidArgument("x-amz-credential must be <key id>/<yyyyMMdd of x-amz-date>/<region>/s3/aws4_request, with x-amz-date as yyyyMMdd'T'HHmmss'Z'.");
        if (parts[2] != options.Value.Region)
        {
            events.Denied(context, SecurityEvent.BadSignature, "POST policy credential names another region");
            throw new S3Exception("AuthorizationQueryParametersError", 400, $"Error parsing the X-Amz-Credential parameter; the region '{parts[2]}' is wrong; expecting '{options.Value.Region}'")
            { Details = [("Region", options.Value.Region)] };
        }
        var key = v2.Find(context, parts[0]);
        var expected = Auth.SigV4.Sign(Auth.SigV4.SigningKey(key.Aws4Secret, parts[1], parts[2]), policy);
        if (signature.Length != 64 || !Auth.SigV4.SignatureEquals(expected, signature))
        {
            events.Denied(context, SecurityEvent.BadSignature, "POST policy SigV4 signature does not match");
            throw S3Errors.SignatureDoesNotMatch();
        }
        return v2.Accept(context, key, SigV2Verifier.PostPolicyAuthMethod);
    }

    private static S3Exception Missing(string field) =>
        S3Errors.InvalidArgument($"Bucket POST must contain a field named '{field}'. If it is specified, please check the order of the fields.");
}
