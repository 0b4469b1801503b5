using Xunit;

namespace Gateway.Testing.S3;

/// <summary>HeadObject with a Range, and CopyObject from a missing source bucket, answered as S3 answers them.</summary>
public abstract partial class S3ClientSuite
{
    [Fact]
    public Task Boto3_head_object_answers_a_range_as_get_does() => RunBotoAsync("""
        s3.put_object(Bucket=BUCKET, Key="eleven", Body=b"hello world")
        def head(**kw):
            h = s3.head_object(Bucket=BUCKET, Key="eleven", **kw)["ResponseMetadata"]
            return h["HTTPStatusCode"], h["HTTPHeaders"]["content-length"], h["HTTPHeaders"].get("content-range")
        assert head(Range="bytes=4-7") == (206, "4", "bytes 4-7/11"), head(Range="bytes=4-7")
        assert head(Range="bytes=-3") == (206, "3", "bytes 8-10/11"), head(Range="bytes=-3")
        assert head() == (200, "11", None), head()
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="eleven", Range="bytes=40-50")) == ("416", 416)
        s3.put_object(Bucket=BUCKET, Key="empty", Body=b"")
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="empty", Range="bytes=0-0")) == ("416", 416)
        """, "HeadObject with a Range");

    [Fact]
    public Task Boto3_copy_from_a_missing_bucket_is_no_such_bucket() => RunBotoAsync("""
        s3.put_object(Bucket=BUCKET, Key="src", Body=b"x")
        missing = BUCKET + "-gone"
        expected = ("NoSuchBucket", 404) if os.environ["MISSING_BUCKETS_VISIBLE"] == "1" else ("NoSuchKey", 404)
        assert error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="dst", CopySource={"Bucket": missing, "Key": "src"})) == expected
        assert error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="dst", CopySource={"Bucket": BUCKET, "Key": "nosuch"})) == ("NoSuchKey", 404)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="dst")) == ("404", 404)
        """, "copy from a missing bucket");
}
