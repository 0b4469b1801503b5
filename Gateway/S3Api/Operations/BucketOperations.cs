using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;
using Gateway.S3Api.Xml;
using Gateway.Security;

namespace Gateway.S3Api.Operations;

/// <summary>ListBuckets, CreateBucket, DeleteBucket, HeadBucket, GetBucketLocation (the configuration sub-resources: BucketConfig/).</summary>
public static partial class BucketOperations
{
    private const int MaxBuckets = 10000;
    /// <summary>The region where S3 answers CreateBucket of an existing bucket with 200 rather than 409.</summary>
    private const string LegacyRegion = "us-east-1";

    /// <summary>
    /// ListBuckets, with S3's paging parameters: prefix, max-buckets (1-10000; without it every bucket, as before S3 had
    /// paging), continuation-token (the opaque token of the page before: the last name it held) and bucket-region.
    /// </summary>
    public static async Task ListBucketsAsync(S3Context c)
    {
        var q = c.Request.Query;
        var prefix = q["prefix"].ToString();
        int? max = null;
        if (q.TryGetValue("max-buckets", out var maxText))
            max = BoundedInteger.Read(maxText.ToString(), 1, MaxBuckets, out var n) == BoundedIntegerRead.Within
                ? n
                : throw S3Errors.InvalidArgument($"max-buckets must be an integer between 1 and {MaxBuckets}.", "max-buckets", maxText.ToString());
        var after = q.TryGetValue("continuation-token", out var token) ? DecodeBucketToken(token.ToString()) : null;
        var region = q["bucket-region"].ToString();
        var buckets = new List<(string Name, DateTimeOffset? Created)>();
        foreach (var store in c.Services.Stores.Stores)
        {
            // A store that lists no buckets (a GCS store without a project, Capabilities:ListBuckets=false) is left out
            // of the listing of every store, not made its failure; as the front door's one store it answers NotImplemented.
            if (!store.Capabilities.ListBuckets && c.Services.Stores.SingleStore is null) continue;
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
        // Every bucket here is in the front door's one region.
        var shown = buckets.Where(b => b.Name.StartsWith(prefix, StringComparison.Ordinal)
                && (after is null || string.CompareOrdinal(b.Name, after) > 0)
                && (region.Length == 0 || region == c.Services.Options.Region)).ToList();
        var truncated = max is { } limit && shown.Count > limit;
        if (truncated) shown = shown[..max!.Value];
        await S3Xml.WriteAsync(c.Response, 200, w =>
        {
            w.WriteStartElement("ListAllMyBucketsResult", S3Xml.Namespace);
            WriteOwner(w, c);
            w.WriteStartElement("Buckets");
            foreach (var (name, created) in shown)
            {
                w.WriteStartElement("Bucket");
                w.Element("Name", name);
                w.Element("CreationDate", created ?? DateTimeOffset.UnixEpoch);
                w.Element("BucketRegion", c.Services.Options.Region);
                w.WriteEndElement();
            }
            w.WriteEndElement();
            if (truncated) w.Element("ContinuationToken", System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(shown[^1].Name)));
            if (q.ContainsKey("prefix")) w.Element("Prefix", prefix);
            w.WriteEndElement();
        });
    }

    /// <summary>A ListBuckets continuation token: the base64url of the last bucket name of the page before.</summary>
    private static string DecodeBucketToken(string token)
    {
        try { return System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token)); }
        catch (FormatException) { throw S3Errors.InvalidArgument("The continuation token provided is incorrect.", "continuation-token", token); }
    }

    public static void WriteOwner(System.Xml.XmlWriter w, S3Context c, string element = "Owner")
    {
        w.WriteStartElement(element);
        w.Element("ID", c.OwnerId);
        w.Element("DisplayName", c.OwnerId);
        w.WriteEndElement();
    }

    public static async Task CreateBucketAsync(S3Context c)
    {
        var t = c.Target;
        c.Require(Operation.Write, t.BucketResource);
        ReservedBucketNames.CheckNew(t.Bucket);
        // A bucket with object lock cannot be made here (no store keeps versions): refused, not created without it.
        if (string.Equals(c.Request.Headers["x-amz-bucket-object-lock-enabled"].ToString(), "true", StringComparison.OrdinalIgnoreCase))
            throw S3Errors.NotImplemented("Creating a bucket with object lock");
        CheckObjectOwnership(c.Request.Headers["x-amz-object-ownership"].ToString());
        await DrainConfigurationAsync(c);
        try { await t.Store.CreateBucketAsync(t.Bucket, c.Aborted); }
        catch (GatewayException e) when (e.Code == ErrorCode.Conflict)
        {
            // A name taken where this gateway cannot list it (another account's S3 bucket, a GCS name taken elsewhere).
            if (!await OwnBucketAsync(c)) throw new S3Exception("BucketAlreadyExists", 409,
                "The requested bucket name is not available. The bucket namespace is shared by all users of the system.");
            // S3 answers a re-creation 200 in us-east-1 (its legacy rule, which ceph/s3-tests' bucket_create_exists and
            // bucket_recreate_not_overriding assert) and BucketAlreadyOwnedByYou in every other region. Nothing changes either way.
            if (c.Services.Options.Region != LegacyRegion)
                throw new S3Exception("BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it.");
        }
        c.Response.Headers.Location = "/" + t.S3Bucket;
        c.Response.StatusCode = 200;
    }

    private static async Task<bool> OwnBucketAsync(S3Context c)
    {
        try { return await c.BucketExistsAsync(); }
        catch (GatewayException e) when (e.Code is ErrorCode.Forbidden or ErrorCode.Unauthorized) { return false; }
    }

    /// <summary>
    /// Every bucket here is "bucket owner enforced" (ACLs off; GET ?ownershipControls answers it): asking for ACLs to be on is
    /// refused as PutBucketOwnershipControls refuses it, rather than creating a bucket that is not what the caller asked for.
    /// </summary>
    private static void CheckObjectOwnership(string ownership)
    {
        switch (ownership)
        {
            case "" or "BucketOwnerEnforced": return;
            case "BucketOwnerPreferred" or "ObjectWriter": throw S3Errors.NotImplemented($"Creating a bucket with ObjectOwnership {ownership} (ACLs on)");
            default: throw S3Errors.InvalidArgument("Invalid x-amz-object-ownership header: the value must be BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter.", "x-amz-object-ownership", ownership);
        }
    }

    /// <summary>
    /// CreateBucket may carry a CreateBucketConfiguration (another document is MalformedXML); only a LocationConstraint of this front door's region is accepted,
    /// and, as S3 answers, not "us-east-1" itself (that region is named by leaving the constraint out), nor a name no
    /// region has.
    /// </summary>
    private static async Task DrainConfigurationAsync(S3Context c)
    {
        if (c.Request.ContentLength is null or 0 && !c.Caller.Streaming) return;
        var body = Bodies.Open(c, out _);
        var doc = await S3Xml.ReadFromAsync(body, 64 * 1024, c.Aborted);
        // Another document than a CreateBucketConfiguration is not one S3 takes (its schema): nothing is created.
        if (doc.Root is not { Name.LocalName: "CreateBucketConfiguration" }) throw S3Errors.MalformedXml();
        var location = doc.Root.Elements().FirstOrDefault(e => e.Name.LocalName == "LocationConstraint")?.Value;
        if (string.IsNullOrEmpty(location)) return;
        var region = c.Services.Options.Region;
        if (location == region && region != LegacyRegion) return;
        if (location == LegacyRegion || (location != region && !RegionName().IsMatch(location)))
            throw new S3Exception("InvalidLocationConstraint", 400, "The specified location-constraint is not valid") { Details = [("LocationConstraint", Printable(location))] };
        throw new S3Exception("IllegalLocationConstraintException", 400,
            $"The {Printable(location)} location constraint is incompatible for the region specific endpoint this request was sent to.");
    }

    // AWS's region names (us-east-1, ap-southeast-2, us-gov-west-1) and the legacy alias EU.
    [System.Text.RegularExpressions.GeneratedRegex("^([a-z]{2}(-[a-z]+)+-[0-9]{1,2}|EU)$")]
    private static partial System.Text.RegularExpressions.Regex RegionName();

    private static string Printable(string s) => s.Length <= 64 && s.All(ch => ch is > ' ' and < '\x7f') ? s : "(unprintable)";

    public static async Task DeleteBucketAsync(S3Context c)
    {
        var t = c.Target;
        c.Require(Operation.Delete, t.BucketResource);
        try { await t.Store.DeleteBucketAsync(t.Bucket, c.Aborted); }
        catch (GatewayException e) when (e.Code == ErrorCode.Conflict)
        {
            // Uploads never completed do not keep a bucket from being deleted in S3: they go with it.
            if (!await Multipart.PendingUploads.TryAbortAllAsync(c)) throw BucketNotEmpty();
            // An object written in between keeps the bucket (BucketNotEmpty), with its uploads already aborted.
            try { await t.Store.DeleteBucketAsync(t.Bucket, c.Aborted); }
            catch (GatewayException again) when (again.Code == ErrorCode.Conflict) { throw BucketNotEmpty(); }
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { throw S3Errors.NoSuchBucket(); }
        c.Response.StatusCode = 204;
    }

    private static S3Exception BucketNotEmpty() => new("BucketNotEmpty", 409, "The bucket you tried to delete is not empty.");

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
