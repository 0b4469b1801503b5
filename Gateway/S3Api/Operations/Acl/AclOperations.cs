using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;
using Gateway.S3Api.Xml;
using Gateway.Security;

namespace Gateway.S3Api.Operations.Acl;

/// <summary>
/// GET ?acl answers what is true of every bucket and object here: the caller (named as listings name the owner) has
/// what its grants give it on that resource (FULL_CONTROL with read and write, READ with read alone) and nobody else
/// has anything. PUT ?acl takes only an ACL that changes nothing: a canned one (<see cref="CannedAcl"/>) or a document
/// granting the owner full control alone.
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
            w.Element("ID", c.OwnerId);
            w.Element("DisplayName", c.OwnerId);
            w.WriteEndElement();
            w.Element("Permission", writes ? "FULL_CONTROL" : "READ");
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
        });
    }

    private static async Task PutAsync(S3Context c)
    {
        var headers = c.Request.Headers;
        if (c.Request.ContentLength > 0 || headers.TransferEncoding.Count > 0)
        {
            // A policy document: taken only when it is the owner's full control alone, the XML form of
            // bucket-owner-full-control that S3 takes on a bucket owner enforced bucket (s3cmd cp and mv send back the ACL
            // GET ?acl answered); anything that would grant more, or with a canned ACL besides, is refused.
            if (headers.ContainsKey("x-amz-acl")) throw CannedAcl.NotSupported();
            CannedAcl.Check(headers, bucket: false);
            var policy = await S3Xml.ReadFromAsync(Bodies.Open(c, out _), 64 * 1024, c.Aborted);
            if (!OwnerFullControlOnly(policy, c.OwnerId)) throw CannedAcl.NotSupported();
        }
        else if (!headers.ContainsKey("x-amz-acl"))
        {
            CannedAcl.Check(headers, bucket: false);
            throw CannedAcl.NotSupported();
        }
        else CannedAcl.Check(headers, bucket: false);
        await ExistsAsync(c, Operation.Write);
        c.Response.StatusCode = 200;
    }

    /// <summary>An AccessControlPolicy whose every grant (one at least) is FULL_CONTROL to the owner, as GET ?acl names it.</summary>
    private static bool OwnerFullControlOnly(System.Xml.Linq.XDocument policy, string owner)
    {
        if (policy.Root is not { Name.LocalName: "AccessControlPolicy" } root) throw S3Errors.MalformedXml();
        var grants = root.Elements().Where(e => e.Name.LocalName == "AccessControlList").SelectMany(l => l.Elements()).ToList();
        return grants.Count > 0 && grants.All(g =>
            g.Name.LocalName == "Grant"
            && Child(g, "Permission")?.Value.Trim() == "FULL_CONTROL"
            && Child(g, "Grantee") is { } grantee
            && grantee.Elements().All(e => e.Name.LocalName is "ID" or "DisplayName")
            && Child(grantee, "ID")?.Value.Trim() == owner);
    }

    private static System.Xml.Linq.XElement? Child(System.Xml.Linq.XElement parent, string name) =>
        parent.Elements().FirstOrDefault(e => e.Name.LocalName == name);

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
