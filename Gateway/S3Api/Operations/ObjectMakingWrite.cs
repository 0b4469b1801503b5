using Gateway.S3Api.Errors;
using Gateway.S3Api.Operations.Encryption;
using Gateway.S3Api.Operations.ObjectLock;
using Gateway.S3Api.Routing;
using Gateway.Security;

namespace Gateway.S3Api.Operations;

/// <summary>
/// What every write that makes an object (PutObject, CopyObject, CreateMultipartUpload) checks before it starts: object
/// lock headers (no bucket here has object lock), a website redirect (nothing here keeps or serves one: refused, not
/// dropped, as POST Object refuses the field) and an append offset (no store here appends), the caller's write grant on the target key, then the server-side
/// encryption headers. Called once, by the dispatcher; the operations get the encryption to echo.
/// </summary>
public static class ObjectMakingWrite
{
    private const string WebsiteRedirect = "x-amz-website-redirect-location";
    // S3's append (directory buckets only): taken as a plain write, it would replace the object with the appended bytes.
    private const string WriteOffset = "x-amz-write-offset-bytes";

    /// <returns><c>AES256</c> when SSE-S3 was asked for and is honoured (to echo), null when no encryption was named.</returns>
    public static string? Check(S3Context c)
    {
        ObjectLockRequests.RefuseHeaders(c.Request);
        if (c.Request.Headers.ContainsKey(WebsiteRedirect)) throw S3Errors.NotImplemented($"The {WebsiteRedirect} header");
        if (c.Request.Headers.ContainsKey(WriteOffset)) throw S3Errors.NotImplemented($"Appending ({WriteOffset})");
        c.Require(Operation.Write, c.Target.ObjectResource(c.RequiredKey));
        return ServerSideEncryption.ForWrite(c);
    }
}
