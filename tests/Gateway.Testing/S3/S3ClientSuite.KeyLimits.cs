using Xunit;

namespace Gateway.Testing.S3;

/// <summary>S3's key length limit answered with S3's own error code.</summary>
public abstract partial class S3ClientSuite
{
    /// <summary>
    /// A key over 1024 bytes of UTF-8 is S3's KeyTooLongError 400 wherever a key is named (path, copy source, DeleteObjects
    /// entry), and nothing is stored. Until the s3walk helper's walk it was InvalidArgument, a code S3 does not answer there.
    /// </summary>
    [Fact]
    public Task Boto3_a_key_over_1024_bytes_is_key_too_long() => RunBotoAsync("""
        longest, over, wide = "k/" + "k" * 1022, "k/" + "k" * 1023, "k/" + "é" * 512
        s3.put_object(Bucket=BUCKET, Key=longest, Body=b"1024")
        assert s3.get_object(Bucket=BUCKET, Key=longest)["Body"].read() == b"1024"
        for key in (over, wide):
            assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")) == ("KeyTooLongError", 400), key
            assert error_of(lambda: s3.copy_object(Bucket=BUCKET, Key=key, CopySource={"Bucket": BUCKET, "Key": longest})) == ("KeyTooLongError", 400)
            assert error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="k/copy", CopySource={"Bucket": BUCKET, "Key": key})) == ("KeyTooLongError", 400)
        r = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": over}, {"Key": longest}]})
        assert [(e["Key"], e["Code"]) for e in r.get("Errors", [])] == [(over, "KeyTooLongError")], r
        assert [d["Key"] for d in r["Deleted"]] == [longest], r
        assert [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="k/").get("Contents", [])] == [], "nothing stored"
        # Other key rules stay InvalidArgument.
        assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key="k/../x", Body=b"x")) == ("InvalidArgument", 400)
        """, "keys over 1024 bytes");
}
