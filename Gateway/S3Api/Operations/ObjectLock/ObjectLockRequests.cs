using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;
using Gateway.Security;

namespace Gateway.S3Api.Operations.ObjectLock;

/// <summary>
/// Object lock asked of a bucket that has none (every bucket here: CreateBucket with object lock is NotImplemented). S3
/// answers 400 InvalidRequest for the x-amz-object-lock-* headers on a write and for GET/PUT of an object's
/// ?retention and ?legal-hold; taking the headers silently would leave a client believing an object is locked.
/// </summary>
public static class ObjectLockRequests
{
    private const string HeaderPrefix = "x-amz-object-lock-";

    public static S3Exception MissingConfiguration() => S3Errors.InvalidRequest("Bucket is missing Object Lock Configuration");

    /// <summary>PutObject, CopyObject and CreateMultipartUpload: any object lock header is refused before anything is written.</summary>
    public static void RefuseHeaders(HttpRequest request) => Refuse(request.Headers.Keys);

    /// <summary>The same for any named values: a request's headers, or a POST form's fields.</summary>
    public static void Refuse(IEnumerable<string> names)
    {
        if (names.Any(name => name.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase))) throw MissingConfiguration();
    }

    public static bool IsObjectSubResource(IQueryCollection query) => query.ContainsKey("retention") || query.ContainsKey("legal-hold");

    /// <summary>GET and PUT of ?retention / ?legal-hold on an object: the caller's grant first, then the bucket, then S3's refusal.</summary>
    public static async Task RunAsync(S3Context c)
    {
        var method = c.Request.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsPut(method)) throw S3Errors.MethodNotAllowed();
        NullVersion.CheckObjectRequest(c);
        c.Require(HttpMethods.IsGet(method) ? Operation.Read : Operation.Write, c.Target.ObjectResource(c.RequiredKey));
        if (!await c.BucketExistsAsync()) throw S3Errors.NoSuchBucket();
        throw MissingConfiguration();
    }
}
