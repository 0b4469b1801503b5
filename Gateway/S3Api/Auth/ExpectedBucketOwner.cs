using Gateway.S3Api.Errors;
using Gateway.S3Api.Routing;

namespace Gateway.S3Api.Auth;

/// <summary>
/// S3's bucket owner condition: <c>x-amz-expected-bucket-owner</c> (and, for a copy, <c>x-amz-source-expected-bucket-owner</c>)
/// names the account the caller believes owns the bucket, and any other owner is <c>AccessDenied</c> before anything is
/// done. The front door keeps no bucket owners: every bucket is answered as its caller's (ListBuckets' and the listings'
/// <c>Owner</c> ID is the caller's name), so that ID is the one that passes.
/// </summary>
public static class ExpectedBucketOwner
{
    public static void Check(S3Context c)
    {
        if (c.S3Bucket is null) return;
        Compare(c, "x-amz-expected-bucket-owner");
        if (c.Request.Headers.ContainsKey("x-amz-copy-source")) Compare(c, "x-amz-source-expected-bucket-owner");
    }

    private static void Compare(S3Context c, string header)
    {
        if (!c.Request.Headers.TryGetValue(header, out var values)) return;
        var expected = values.ToString();
        // S3 answers a value that cannot be an account ID so; here any caller name is an owner ID, so only the empty one cannot be.
        if (expected.Length == 0)
            throw new S3Exception("InvalidBucketOwnerAWSAccountID", 400, "The value of the expected bucket owner parameter must be an AWS Account ID... []");
        if (values.Count != 1 || !string.Equals(expected, c.OwnerId, StringComparison.Ordinal))
        {
            c.Services.Events.Denied(c.Http, Gateway.Security.SecurityEvent.Forbidden, $"{header} names another bucket owner");
            throw S3Errors.AccessDenied();
        }
    }
}
