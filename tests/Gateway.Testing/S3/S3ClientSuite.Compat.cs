using Xunit;

namespace Gateway.Testing.S3;

/// <summary>Behaviour the public S3 compatibility suite (ceph/s3-tests) checks, driven through boto3.</summary>
public abstract partial class S3ClientSuite
{
    [Fact]
    public Task Boto3_standard_headers_are_kept_through_put_copy_and_multipart() => RunBotoAsync("""
        import gzip
        body = gzip.compress(b"compressed by the client")
        expires = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
        given = {"CacheControl": "public, max-age=14400", "ContentDisposition": 'attachment; filename="a b.txt"',
                 "ContentEncoding": "gzip", "ContentLanguage": "de-DE"}
        s3.put_object(Bucket=BUCKET, Key="hdr/put", Body=body, ContentType="text/plain", Expires=expires, **given)
        def check(r, expected, exp="Wed, 02 Jan 2030 03:04:05 GMT"):
            h = r["ResponseMetadata"]["HTTPHeaders"]
            for name, value in expected.items(): assert r.get(name) == value, (name, r.get(name), h)
            assert h.get("expires") == exp, h
        check(s3.head_object(Bucket=BUCKET, Key="hdr/put"), given)
        got = s3.get_object(Bucket=BUCKET, Key="hdr/put")
        check(got, given)
        assert got["Body"].read() == body  # as stored, never decoded
        # response-* overrides win over what is stored.
        over = s3.get_object(Bucket=BUCKET, Key="hdr/put", ResponseCacheControl="no-store")
        assert over["CacheControl"] == "no-store", over

        s3.copy_object(Bucket=BUCKET, Key="hdr/copy", CopySource={"Bucket": BUCKET, "Key": "hdr/put"})
        check(s3.head_object(Bucket=BUCKET, Key="hdr/copy"), given)
        s3.copy_object(Bucket=BUCKET, Key="hdr/replaced", CopySource={"Bucket": BUCKET, "Key": "hdr/put"},
                       MetadataDirective="REPLACE", CacheControl="no-cache", ContentType="text/csv")
        r = s3.head_object(Bucket=BUCKET, Key="hdr/replaced")
        h = r["ResponseMetadata"]["HTTPHeaders"]
        assert r["CacheControl"] == "no-cache" and r["ContentType"] == "text/csv", h
        assert "content-disposition" not in h and "content-language" not in h and "expires" not in h, h

        up = s3.create_multipart_upload(Bucket=BUCKET, Key="hdr/multi", ContentType="text/plain", Expires=expires, **given)
        e1 = s3.upload_part(Bucket=BUCKET, Key="hdr/multi", UploadId=up["UploadId"], PartNumber=1, Body=body)["ETag"]
        s3.complete_multipart_upload(Bucket=BUCKET, Key="hdr/multi", UploadId=up["UploadId"],
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}]})
        check(s3.head_object(Bucket=BUCKET, Key="hdr/multi"), given)
        # The SDKs' aws-chunked framing is not the object's coding: it is not kept.
        status, _ = raw("PUT", f"{ENDPOINT}/{BUCKET}/hdr/plain", b"plain", headers={"Content-Encoding": "aws-chunked"})
        assert status == 200, status
        assert "content-encoding" not in s3.head_object(Bucket=BUCKET, Key="hdr/plain")["ResponseMetadata"]["HTTPHeaders"]
        """, "standard headers");
}
