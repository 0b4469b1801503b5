using Gateway.S3Api.Errors;

namespace Gateway.S3Api.Operations;

/// <summary>
/// Bucket name forms S3 keeps for its own features (internationalised DNS labels, access point aliases, Object Lambda,
/// Multi-Region Access Points, directory and table buckets, documentation examples): CreateBucket refuses them with
/// InvalidBucketName, as S3 does. Only creation is refused, so a store's existing bucket of such a name stays reachable.
/// The "--" forms are already refused by the gateway's own name rule; they are listed to keep S3's list whole.
/// </summary>
public static class ReservedBucketNames
{
    private static readonly string[] Prefixes = ["xn--", "sthree-", "amzn-s3-demo-"];
    private static readonly string[] Suffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

    public static void CheckNew(string bucket)
    {
        if (Prefixes.FirstOrDefault(p => bucket.StartsWith(p, StringComparison.Ordinal)) is { } prefix)
            throw S3Errors.InvalidBucketName($"Bucket names must not start with '{prefix}', which S3 reserves.");
        if (Suffixes.FirstOrDefault(s => bucket.EndsWith(s, StringComparison.Ordinal)) is { } suffix)
            throw S3Errors.InvalidBucketName($"Bucket names must not end with '{suffix}', which S3 reserves.");
    }
}
