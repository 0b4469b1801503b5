using Xunit;

namespace Gateway.Testing.S3;

/// <summary>GetObjectAttributes, as SDKs and checksum-verifying tools call it.</summary>
public abstract partial class S3ClientSuite
{
    [Fact]
    public Task Boto3_gets_object_attributes() => RunBotoAsync($$"""
        import hashlib, base64
        KIND = "{{StoreSettings["Kind"]}}"
        body = b"attributes body"
        sha = base64.b64encode(hashlib.sha256(body).digest()).decode()
        put = s3.put_object(Bucket=BUCKET, Key="attr/single", Body=body, ChecksumSHA256=sha)
        everything = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"]
        r = s3.get_object_attributes(Bucket=BUCKET, Key="attr/single", ObjectAttributes=everything)
        assert r["ETag"] == put["ETag"].strip('"') and r["ObjectSize"] == len(body) and r["StorageClass"] == "STANDARD", r
        assert r["Checksum"]["ChecksumSHA256"] == sha and "ObjectParts" not in r, r
        assert "LastModified" in r, r
        r = s3.get_object_attributes(Bucket=BUCKET, Key="attr/single", ObjectAttributes=["ObjectSize"])
        assert r["ObjectSize"] == len(body) and "ETag" not in r and "StorageClass" not in r, r

        p1, p2 = os.urandom(5 * 1024 * 1024), b"tail"
        up = s3.create_multipart_upload(Bucket=BUCKET, Key="attr/multi")["UploadId"]
        e1 = s3.upload_part(Bucket=BUCKET, Key="attr/multi", UploadId=up, PartNumber=1, Body=p1)["ETag"]
        e2 = s3.upload_part(Bucket=BUCKET, Key="attr/multi", UploadId=up, PartNumber=2, Body=p2)["ETag"]
        done = s3.complete_multipart_upload(Bucket=BUCKET, Key="attr/multi", UploadId=up,
                                            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
        r = s3.get_object_attributes(Bucket=BUCKET, Key="attr/multi", ObjectAttributes=everything)
        assert r["ETag"] == done["ETag"].strip('"') and r["ETag"].endswith("-2") and r["ObjectSize"] == len(p1) + len(p2), r
        # An s3 store completes natively and keeps S3's own ETag, not the front door's record of the parts.
        parts = r.get("ObjectParts") or {"TotalPartsCount": 2} if KIND == "s3" else r["ObjectParts"]
        assert parts["TotalPartsCount"] == 2, parts
        if KIND != "s3":
            assert [(p["PartNumber"], p["Size"]) for p in parts["Parts"]] == [(1, len(p1)), (2, len(p2))] and not parts["IsTruncated"], parts
            page = s3.get_object_attributes(Bucket=BUCKET, Key="attr/multi", ObjectAttributes=["ObjectParts"], MaxParts=1)["ObjectParts"]
            assert [p["PartNumber"] for p in page["Parts"]] == [1] and page["IsTruncated"] and page["NextPartNumberMarker"] == 1, page
            page = s3.get_object_attributes(Bucket=BUCKET, Key="attr/multi", ObjectAttributes=["ObjectParts"], PartNumberMarker=1)["ObjectParts"]
            assert [p["PartNumber"] for p in page["Parts"]] == [2] and not page["IsTruncated"], page

        assert error_of(lambda: s3.get_object_attributes(Bucket=BUCKET, Key="attr/none", ObjectAttributes=["ETag"])) == ("NoSuchKey", 404)
        status, body = raw("GET", f"{ENDPOINT}/{BUCKET}/attr/single?attributes")
        assert status == 400 and b"<Code>InvalidRequest</Code>" in body, (status, body)
        status, body = raw("GET", f"{ENDPOINT}/{BUCKET}/attr/single?attributes", headers={"x-amz-object-attributes": "ETag,Colour"})
        assert status == 400 and b"<Code>InvalidArgument</Code>" in body, (status, body)
        """, "GetObjectAttributes");
}
