using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;
using Gateway.S3Api.Xml;
using Gateway.Security;

namespace Gateway.S3Api.Operations.Acl;

/// <summary>
/// GET ?acl answers what is true of every bucket and object here: the caller (named as listings name the owner) has
/// what its grants give it on that resource (FULL_CONTROL with read and write, READ with read alone) and nobody else
/// has anything. PUT ?acl takes only a canned ACL that changes nothing (<see cref="CannedAcl"/>).
/// </summary>
public static class AclOperations
{
    public static Task RunAsync(S3Context c)
    {
        var method = c.Request.Method;
        if (HttpMethods.IsGet(method)) return GetAsync(c);
        if (HttpMethods.IsPut(method)) return PutAsync(c);
        return Task.FromException(S3Errors.MethodNotAllowed());
    }

    private static async Task GetAsync(S3Context c)
    {
        await ExistsAsync(c, Operation.Read);
        var t = c.Target;
        var writes = c.Allows(Operation.Write, c.Key is null ? t.BucketResource : t.ObjectResource(c.Key));
        await S3Xml.WriteAsync(c.Response, 200, w =>
        {
            w.WriteStartElement("AccessControlPolicy", S3Xml.Namespace);
            BucketOperations.WriteOwner(w, c);
            w.WriteStartElement("AccessControlList");
            w.WriteStartElement("Grant");
            w.WriteStartElement("Grantee", S3Xml.Namespace);
            w.WriteAttributeString("xsi", "type", "http://www.w3.org/2001/XMLSchema-instance", "CanonicalUser");
            w.Element("ID", c.Caller.Key.Caller);
            w.Element("DisplayName", c.Caller.Key.Caller);
            w.WriteEndElement();
            w.Element("Permission", writes ? "FULL_CONTROL" : "READ");
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
        });
    }

    private static async Task PutAsync(S3Context c)
    {
        // A policy document in the body would set grants: refused, whatever it says.
        if (c.Request.ContentLength > 0 || c.Request.Headers.TransferEncoding.Count > 0 || !c.Request.Headers.ContainsKey("x-amz-acl"))
        {
            CannedAcl.Check(c.Request.Headers, bucket: false);
            throw CannedAcl.NotSupported();
        }
        CannedAcl.Check(c.Request.Headers, bucket: false);
        await ExistsAsync(c, Operation.Write);
        c.Response.StatusCode = 200;
    }

    private static async Task ExistsAsync(S3Context c, Operation operation)
    {
        var t = c.Target;
        if (c.Key is null)
        {
            c.Require(operation, t.BucketResource);
            if (!await c.BucketExistsAsync()) throw S3Errors.NoSuchBucket();
            return;
        }
        c.Require(operation, t.ObjectResource(c.Key));
        await t.Store.HeadObjectAsync(t.Bucket, c.Key, Gateway.Contracts.ObjectStorage.ObjectConditions.None, c.Aborted);
    }
}
