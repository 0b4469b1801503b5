using Xunit;

namespace Gateway.Testing.S3;

/// <summary>Deviations found by running ceph/s3-tests' boto3 suite against the front door (docs/s3.md, "ceph/s3-tests, run").</summary>
public abstract partial class S3ClientSuite
{
    /// <summary>
    /// s3-tests' object_content_encoding_aws_chunked: a Content-Encoding list is kept as written; only the aws-chunked
    /// coding is taken out. Until this run "deflate, gzip" came back as "deflate,gzip".
    /// </summary>
    [Fact]
    public Task Boto3_content_encoding_is_kept_as_written_less_aws_chunked() => RunBotoAsync("""
        # An s3 store answers only the first coding of a list: the AWS SDK for .NET keeps the first value of a multi-valued
        # response header (docs/s3.md, "ceph/s3-tests, run").
        first_only = os.environ["STORE_KIND"] == "s3"
        def stored(encoding):
            s3.put_object(Bucket=BUCKET, Key="encoding", ContentEncoding=encoding)
            return s3.head_object(Bucket=BUCKET, Key="encoding").get("ContentEncoding")
        for given, kept in (("gzip", "gzip"), ("deflate, gzip", "deflate, gzip"), ("deflate,gzip", "deflate,gzip"),
                            ("gzip, aws-chunked", "gzip"), ("aws-chunked, gzip", "gzip"), ("aws-chunked", None),
                            ("aws-chunked, aws-chunked", None)):
            if first_only and kept: kept = kept.split(",")[0]
            assert stored(given) == kept, (given, stored(given))
        """, "Content-Encoding kept as written");

    /// <summary>
    /// GetBucketPolicyStatus (s3-tests' get_bucket_policy_status; security scanners call it on every bucket) answers as S3
    /// does for a bucket without a policy: 404 NoSuchBucketPolicy. Until this run it was NotImplemented. S3 has no PUT or
    /// DELETE of it: 405.
    /// </summary>
    [Fact]
    public Task Boto3_bucket_policy_status_is_no_such_bucket_policy() => RunBotoAsync("""
        assert error_of(lambda: s3.get_bucket_policy_status(Bucket=BUCKET)) == ("NoSuchBucketPolicy", 404)
        missing = BUCKET + "-gone"
        expected = [("NoSuchBucket", 404)] if os.environ["MISSING_BUCKETS_VISIBLE"] == "1" else [("NoSuchBucket", 404), ("NoSuchBucketPolicy", 404)]
        assert error_of(lambda: s3.get_bucket_policy_status(Bucket=missing)) in expected
        for method in ("PUT", "DELETE"):
            status, body = raw(method, f"{ENDPOINT}/{BUCKET}?policyStatus", b"<PolicyStatus/>" if method == "PUT" else b"")
            assert status == 405 and b"<Code>MethodNotAllowed</Code>" in body, (method, status, body)
        """, "GetBucketPolicyStatus");
}
