using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;
using Gateway.S3Api.Xml;
using Gateway.Security;

namespace Gateway.S3Api.Operations;

/// <summary>ListBuckets, CreateBucket, DeleteBucket, HeadBucket, GetBucketLocation (the configuration sub-resources: BucketConfig/).</summary>
public static class BucketOperations
{
    public static async Task ListBucketsAsync(S3Context c)
    {
        var buckets = new List<(string Name, DateTimeOffset? Created)>();
        foreach (var store in c.Services.Stores.Stores)
        {
            var resource = $"stores/{store.Name}/buckets";
            if (!c.Allows(Operation.Read, resource))
            {
                if (c.Services.Stores.SingleStore is not null) c.Require(Operation.Read, resource);
                continue;
            }
            foreach (var b in await store.ListBucketsAsync(c.Aborted))
                buckets.Add((c.Services.Stores.S3Name(store, b.Name), b.CreatedAt));
        }
        buckets.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        await S3Xml.WriteAsync(c.Response, 200, w =>
        {
            w.WriteStartElement("ListAllMyBucketsResult", S3Xml.Namespace);
            WriteOwner(w, c);
            w.WriteStartElement("Buckets");
            foreach (var (name, created) in buckets)
            {
                w.WriteStartElement("Bucket");
                w.Element("Name", name);
                w.Element("CreationDate", created ?? DateTimeOffset.UnixEpoch);
                w.WriteEndElement();
            }
            w.WriteEndElement();
            w.WriteEndElement();
        });
    }

    public static void WriteOwner(System.Xml.XmlWriter w, S3Context c, string element = "Owner")
    {
        w.WriteStartElement(element);
        w.Element("ID", c.Caller.Key.Caller);
        w.Element("DisplayName", c.Caller.Key.Caller);
        w.WriteEndElement();
    }

    public static async Task CreateBucketAsync(S3Context c)
    {
        var t = c.Target;
        c.Require(Operation.Write, t.BucketResource);
        // A bucket with object lock cannot be made here (no store keeps versions): refused, not created without it.
        if (string.Equals(c.Request.Headers["x-amz-bucket-object-lock-enabled"].ToString(), "true", StringComparison.OrdinalIgnoreCase))
            throw S3Errors.NotImplemented("Creating a bucket with object lock");
        await DrainConfigurationAsync(c);
        try { await t.Store.CreateBucketAsync(t.Bucket, c.Aborted); }
        catch (GatewayException e) when (e.Code == ErrorCode.Conflict)
        {
            throw new S3Exception("BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it.");
        }
        c.Response.Headers.Location = "/" + t.S3Bucket;
        c.Response.StatusCode = 200;
    }

    /// <summary>CreateBucket may carry a CreateBucketConfiguration; only a LocationConstraint of this front door's region is accepted.</summary>
    private static async Task DrainConfigurationAsync(S3Context c)
    {
        if (c.Request.ContentLength is null or 0 && !c.Caller.Streaming) return;
        var body = Bodies.Open(c, out _);
        var doc = await S3Xml.ReadFromAsync(body, 64 * 1024, c.Aborted);
        var location = doc?.Root?.Elements().FirstOrDefault(e => e.Name.LocalName == "LocationConstraint")?.Value;
        if (!string.IsNullOrEmpty(location) && location != c.Services.Options.Region)
            throw new S3Exception("IllegalLocationConstraintException", 400,
                $"The {location} location constraint is incompatible for the region specific endpoint this request was sent to.");
    }

    public static async Task DeleteBucketAsync(S3Context c)
    {
        var t = c.Target;
        c.Require(Operation.Delete, t.BucketResource);
        try { await t.Store.DeleteBucketAsync(t.Bucket, c.Aborted); }
        catch (GatewayException e) when (e.Code == ErrorCode.Conflict)
        {
            throw new S3Exception("BucketNotEmpty", 409, "The bucket you tried to delete is not empty.");
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { throw S3Errors.NoSuchBucket(); }
        c.Response.StatusCode = 204;
    }

    public static async Task HeadBucketAsync(S3Context c)
    {
        var t = c.Target;
        c.Require(Operation.Read, t.BucketResource);
        if (!await c.BucketExistsAsync()) throw S3Errors.NoSuchBucket();
        c.Response.Headers["x-amz-bucket-region"] = c.Services.Options.Region;
        c.Response.StatusCode = 200;
    }

    public static async Task GetLocationAsync(S3Context c)
    {
        var t = c.Target;
        c.Require(Operation.Read, t.BucketResource);
        if (!await c.BucketExistsAsync()) throw S3Errors.NoSuchBucket();
        var region = c.Services.Options.Region;
        await S3Xml.WriteAsync(c.Response, 200, w =>
        {
            w.WriteStartElement("LocationConstraint", S3Xml.Namespace);
            if (region != "us-east-1") w.WriteString(region); // S3 answers an empty constraint for us-east-1
            w.WriteEndElement();
        });
    }
}
