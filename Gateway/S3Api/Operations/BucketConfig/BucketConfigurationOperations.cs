using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;
using Gateway.S3Api.Xml;
using Gateway.Security;

namespace Gateway.S3Api.Operations.BucketConfig;

/// <summary>
/// GET, PUT and DELETE of a bucket configuration sub-resource (<see cref="BucketSubResources"/>). Like the other bucket
/// operations: GET needs the caller's read grant on the bucket, PUT and DELETE its write grant (they would change the
/// bucket's configuration), and a missing bucket is NoSuchBucket.
/// </summary>
public static class BucketConfigurationOperations
{
    private const int MaxDocumentBytes = 64 * 1024;

    public static async Task RunAsync(S3Context c, BucketSubResource sub)
    {
        var method = c.Request.Method;
        if (HttpMethods.IsGet(method)) await GetAsync(c, sub);
        else if (HttpMethods.IsPut(method)) await PutAsync(c, sub);
        else if (HttpMethods.IsDelete(method)) await DeleteAsync(c, sub);
        else throw S3Errors.MethodNotAllowed();
    }

    private static async Task GetAsync(S3Context c, BucketSubResource sub)
    {
        await RequireBucketAsync(c, Operation.Read);
        if (sub.Missing is { } missing) throw missing();
        await S3Xml.WriteAsync(c.Response, 200, sub.Document!);
    }

    private static async Task PutAsync(S3Context c, BucketSubResource sub)
    {
        await RequireBucketAsync(c, Operation.Write);
        if (sub.Unchanged is { } unchanged)
        {
            var root = (await Bodies.ReadXmlAsync(c, MaxDocumentBytes)).Root;
            if (root is null || root.Name.LocalName != sub.PutRoot) throw S3Errors.MalformedXml();
            if (unchanged(root))
            {
                c.Response.StatusCode = 200;
                return;
            }
        }
        throw sub.PutRefusal?.Invoke() ?? S3Errors.NotImplemented($"Setting the bucket's '{sub.Name}' configuration");
    }

    private static async Task DeleteAsync(S3Context c, BucketSubResource sub)
    {
        if (sub.Delete == DeleteAnswer.MethodNotAllowed) throw S3Errors.MethodNotAllowed();
        await RequireBucketAsync(c, Operation.Write);
        if (sub.Delete == DeleteAnswer.NotImplemented) throw S3Errors.NotImplemented($"Deleting the bucket's '{sub.Name}' configuration");
        c.Response.StatusCode = 204;
    }

    private static async Task RequireBucketAsync(S3Context c, Operation operation)
    {
        c.Require(operation, c.Target.BucketResource);
        if (!await c.BucketExistsAsync()) throw S3Errors.NoSuchBucket();
    }
}
