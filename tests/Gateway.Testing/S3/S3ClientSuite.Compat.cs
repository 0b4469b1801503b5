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

    [Fact]
    public Task Boto3_reads_parts_by_number() => RunBotoAsync("""
        p1, p2 = os.urandom(5 * 1024 * 1024), b"tail" * 300
        up = s3.create_multipart_upload(Bucket=BUCKET, Key="parts/obj")["UploadId"]
        e1 = s3.upload_part(Bucket=BUCKET, Key="parts/obj", UploadId=up, PartNumber=1, Body=p1)["ETag"]
        e2 = s3.upload_part(Bucket=BUCKET, Key="parts/obj", UploadId=up, PartNumber=2, Body=p2)["ETag"]
        etag = s3.complete_multipart_upload(Bucket=BUCKET, Key="parts/obj", UploadId=up,
                                            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})["ETag"]
        total = len(p1) + len(p2)
        r = s3.get_object(Bucket=BUCKET, Key="parts/obj", PartNumber=1)
        assert r["ResponseMetadata"]["HTTPStatusCode"] == 206 and r["PartsCount"] == 2 and r["ETag"] == etag, r
        assert r["ContentRange"] == f"bytes 0-{len(p1) - 1}/{total}", r["ContentRange"]
        assert r["Body"].read() == p1
        r = s3.get_object(Bucket=BUCKET, Key="parts/obj", PartNumber=2)
        assert r["ContentRange"] == f"bytes {len(p1)}-{total - 1}/{total}" and r["Body"].read() == p2, r
        h = s3.head_object(Bucket=BUCKET, Key="parts/obj", PartNumber=2)
        assert h["ResponseMetadata"]["HTTPStatusCode"] == 206 and h["ContentLength"] == len(p2) and h["PartsCount"] == 2, h
        assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="parts/obj", PartNumber=3)) == ("InvalidPart", 400)
        assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="parts/obj", PartNumber=1, Range="bytes=0-1")) == ("InvalidRequest", 400)
        # A single-part object is its own part 1.
        s3.put_object(Bucket=BUCKET, Key="parts/single", Body=b"single")
        r = s3.get_object(Bucket=BUCKET, Key="parts/single", PartNumber=1)
        assert r["Body"].read() == b"single" and "PartsCount" not in r, r
        assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="parts/single", PartNumber=2)) == ("InvalidPart", 400)
        status, body = raw("GET", f"{ENDPOINT}/{BUCKET}/parts/single?partNumber=0")
        assert status == 400 and b"<Code>InvalidArgument</Code>" in body, (status, body)
        """, "GetObject / HeadObject by partNumber");

    [Fact]
    public Task Boto3_gets_back_the_checksum_it_stored() => RunBotoAsync("""
        import zlib, base64, hashlib
        body = b"checksummed body"
        crc = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
        status, _ = raw("PUT", f"{ENDPOINT}/{BUCKET}/ck/crc32", body, headers={"x-amz-checksum-crc32": crc})
        assert status == 200, status
        h = s3.head_object(Bucket=BUCKET, Key="ck/crc32", ChecksumMode="ENABLED")
        assert h.get("ChecksumCRC32") == crc and h["ResponseMetadata"]["HTTPHeaders"].get("x-amz-checksum-type") == "FULL_OBJECT", h
        g = s3.get_object(Bucket=BUCKET, Key="ck/crc32", ChecksumMode="ENABLED")
        assert g.get("ChecksumCRC32") == crc and g["Body"].read() == body, g
        # Not asked for, not sent; a range is not the whole object.
        status, _ = raw("HEAD", f"{ENDPOINT}/{BUCKET}/ck/crc32")
        assert "x-amz-checksum-crc32" not in s3.head_object(Bucket=BUCKET, Key="ck/crc32")["ResponseMetadata"]["HTTPHeaders"]
        part = s3.get_object(Bucket=BUCKET, Key="ck/crc32", Range="bytes=0-3", ChecksumMode="ENABLED")
        assert "x-amz-checksum-crc32" not in part["ResponseMetadata"]["HTTPHeaders"], part
        sha = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
        status, _ = raw("PUT", f"{ENDPOINT}/{BUCKET}/ck/sha", b"other", headers={"x-amz-checksum-sha256": sha})
        assert s3.head_object(Bucket=BUCKET, Key="ck/sha", ChecksumMode="ENABLED").get("ChecksumSHA256") == sha
        # The reserved entry is not user metadata.
        assert s3.head_object(Bucket=BUCKET, Key="ck/sha")["Metadata"] == {}
        """, "x-amz-checksum-mode");

    [Fact]
    public Task Boto3_pages_multipart_uploads_by_key_and_upload_id_markers_and_rolls_up_by_delimiter() => RunBotoAsync("""
        uploads = [(k, s3.create_multipart_upload(Bucket=BUCKET, Key=k)["UploadId"]) for k in ["mu/a", "mu/b", "mu/dir/c", "mu/dir/d", "other", "mu/a"]]
        r = s3.list_multipart_uploads(Bucket=BUCKET, Prefix="mu/", Delimiter="/")
        assert [u["Key"] for u in r.get("Uploads", [])] == ["mu/a", "mu/a", "mu/b"], r
        assert [p["Prefix"] for p in r.get("CommonPrefixes", [])] == ["mu/dir/"], r
        seen, km, um, pages = [], "", "", 0
        while True:
            r = s3.list_multipart_uploads(Bucket=BUCKET, MaxUploads=2, KeyMarker=km, UploadIdMarker=um)
            seen += [(u["Key"], u["UploadId"]) for u in r.get("Uploads", [])]
            pages += 1
            if not r["IsTruncated"]: break
            km, um = r["NextKeyMarker"], r["NextUploadIdMarker"]
        assert sorted(seen) == sorted(uploads) and len(seen) == 6 and pages == 3, (seen, pages)
        r = s3.list_multipart_uploads(Bucket=BUCKET, KeyMarker="mu/b")
        assert [u["Key"] for u in r["Uploads"]] == ["mu/dir/c", "mu/dir/d", "other"], r
        for k, i in uploads: s3.abort_multipart_upload(Bucket=BUCKET, Key=k, UploadId=i)
        assert "Uploads" not in s3.list_multipart_uploads(Bucket=BUCKET)
        """, "ListMultipartUploads paging");
}
