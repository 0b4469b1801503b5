using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// The front door's integer parameters, each refused (or clamped) as S3 answers it: ListParts' max-parts and
/// part-number-marker and ListMultipartUploads' max-uploads clamp to 1000 and refuse a negative or non-number;
/// GetObjectAttributes' x-amz-max-parts refuses above 10000; UploadPart's partNumber refuses outside 1-10000.
/// </summary>
public abstract partial class S3ClientSuite
{
    [Fact]
    public Task Boto3_integer_parameters_are_clamped_or_refused_as_s3_does() => RunBotoAsync("""
        import re
        up = s3.create_multipart_upload(Bucket=BUCKET, Key="bounded")["UploadId"]
        s3.upload_part(Bucket=BUCKET, Key="bounded", UploadId=up, PartNumber=1, Body=b"one")
        base = f"{ENDPOINT}/{BUCKET}/bounded?uploadId={up}"
        status, body = raw("GET", base + "&max-parts=5000")
        assert status == 200 and b"<MaxParts>1000</MaxParts>" in body, (status, body)
        status, body = raw("GET", base + "&max-parts=0")
        assert status == 200 and b"<MaxParts>0</MaxParts>" in body and b"<Part>" not in body, (status, body)
        for bad in ("max-parts=-1", "max-parts=x", "max-parts=99999999999", "part-number-marker=%2B1", "part-number-marker=%201"):
            assert code(*raw("GET", base + "&" + bad)) == (400, "InvalidArgument"), bad
        status, body = raw("GET", f"{ENDPOINT}/{BUCKET}?uploads&max-uploads=1001")
        assert status == 200 and b"<MaxUploads>1000</MaxUploads>" in body, (status, body)
        assert code(*raw("GET", f"{ENDPOINT}/{BUCKET}?uploads&max-uploads=-5")) == (400, "InvalidArgument")
        for bad in ("0", "10001", "x", "-1"):
            assert code(*raw("PUT", f"{base}&partNumber={bad}", b"x")) == (400, "InvalidArgument"), bad
        s3.abort_multipart_upload(Bucket=BUCKET, Key="bounded", UploadId=up)

        s3.put_object(Bucket=BUCKET, Key="bounded-attr", Body=b"x")
        url = f"{ENDPOINT}/{BUCKET}/bounded-attr?attributes"
        for header, value, expected in (("x-amz-max-parts", "10000", 200), ("x-amz-max-parts", "10001", 400), ("x-amz-max-parts", "many", 400),
                                        ("x-amz-part-number-marker", "0", 200), ("x-amz-part-number-marker", "-1", 400)):
            status, body = raw("GET", url, headers={"x-amz-object-attributes": "ObjectSize", header: value})
            assert status == expected and (expected == 200 or b"<Code>InvalidArgument</Code>" in body), (header, value, status, body)
        """, "bounded integer parameters");
}
