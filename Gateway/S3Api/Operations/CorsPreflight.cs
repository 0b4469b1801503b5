using Gateway.S3Api.Errors;

namespace Gateway.S3Api.Operations;

/// <summary>
/// A browser's CORS preflight (<c>OPTIONS</c> on a bucket or object), which S3 answers unsigned. No bucket here has a
/// CORS configuration (GetBucketCors is <c>NoSuchCORSConfiguration</c>, PutBucketCors <c>NotImplemented</c>), so every
/// well-formed preflight gets S3's answer for such a bucket. The store is not asked: an unsigned request learns nothing
/// of which buckets exist.
/// </summary>
public static class CorsPreflight
{
    private static readonly string[] Methods = ["GET", "PUT", "HEAD", "POST", "DELETE"];

    public static S3Exception Refusal(HttpRequest request, bool forObject)
    {
        if (string.IsNullOrEmpty(request.Headers.Origin.ToString()))
            return new S3Exception("BadRequest", 400, "Insufficient information. Origin request header needed.");
        var method = request.Headers.AccessControlRequestMethod.ToString();
        if (!Methods.Contains(method, StringComparer.Ordinal))
            return new S3Exception("BadRequest", 400, $"Invalid Access-Control-Request-Method: {(method.Length == 0 ? "null" : Printable(method))}");
        return new S3Exception("AccessForbidden", 403, "CORSResponse: CORS is not enabled for this bucket.")
        {
            Details = [("Method", method), ("ResourceType", forObject ? "OBJECT" : "BUCKET")],
        };
    }

    private static string Printable(string s) => s.Length > 32 ? "(too long)" : s.All(c => c is > ' ' and < '\x7f') ? s : "(unprintable)";
}
