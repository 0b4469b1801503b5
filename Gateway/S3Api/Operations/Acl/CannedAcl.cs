using Gateway.S3Api.Errors;

namespace Gateway.S3Api.Operations.Acl;

/// <summary>
/// S3's ACLs are off here, as on an S3 bucket whose Object Ownership is "bucket owner enforced" (the default for new
/// buckets): access is the gateway's grants, and nothing is public. An ACL that says as much (<c>private</c>,
/// <c>bucket-owner-full-control</c>) is taken; one that would grant more is refused with the error S3 gives on such a
/// bucket, never stored as private while the client believes its object or bucket is shared.
/// </summary>
public static class CannedAcl
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read", "bucket-owner-read",
        "bucket-owner-full-control", "log-delivery-write",
    };

    private static bool Private(string acl) => acl is "private" or "bucket-owner-full-control";

    /// <summary>The x-amz-acl and x-amz-grant-* headers of a request that creates a bucket or writes an object.</summary>
    public static void Check(IHeaderDictionary headers, bool bucket) =>
        Check(headers.TryGetValue("x-amz-acl", out var acl) ? acl.ToString() : null,
            headers.Keys.Any(h => h.StartsWith("x-amz-grant-", StringComparison.OrdinalIgnoreCase)), bucket);

    public static void Check(string? acl, bool grants, bool bucket, string argumentName = "x-amz-acl")
    {
        if (acl is not null && !Known.Contains(acl))
            throw S3Errors.InvalidArgument("The canned ACL is not one S3 has (private, public-read, public-read-write, authenticated-read, ...).", argumentName, acl);
        if ((acl is null || Private(acl)) && !grants) return;
        throw bucket
            ? new S3Exception("InvalidBucketAclWithObjectOwnership", 400, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting: access is the gateway's grants, and nothing is public.")
            : NotSupported();
    }

    public static S3Exception NotSupported() =>
        new("AccessControlListNotSupported", 400, "The bucket does not allow ACLs: access is the gateway's grants, and nothing is public.");
}
