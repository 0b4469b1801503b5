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

    /// <summary>Status and error codes the public compatibility suite (ceph/s3-tests) asserts, outside ACLs, policies and versioning.</summary>
    [Fact]
    public Task Boto3_gets_the_error_codes_the_compatibility_suite_asserts() => RunBotoAsync("""
        failures = []
        def expect(what, call, code, status):
            try:
                got = error_of(call)
            except AssertionError:
                got = None
            if got != (code, status): failures.append(f"{what}: expected {(code, status)}, got {got}")
        def check(what, condition):
            if not condition: failures.append(what)
        for bad in ["ab", "a" * 64, "ABC", "bucket_", "-abc", "abc-", "a..b", "192.168.5.4", "foo.-bar", "foo-.bar"]:
            expect(f"bucket name {bad!r}", lambda: s3.create_bucket(Bucket=bad), "InvalidBucketName", 400)
        dotted = BUCKET + ".with.dots"
        if os.environ["DOTTED_BUCKETS"] == "1":
            s3.create_bucket(Bucket=dotted)
            s3.put_object(Bucket=dotted, Key="in dotted", Body=b"dotted body")
            check("a dotted bucket lists its object", [o["Key"] for o in s3.list_objects_v2(Bucket=dotted)["Contents"]] == ["in dotted"])
            check("a dotted bucket reads back", s3.get_object(Bucket=dotted, Key="in dotted")["Body"].read() == b"dotted body")
            s3.delete_object(Bucket=dotted, Key="in dotted")
            s3.delete_bucket(Bucket=dotted)
        else:
            expect("a dotted bucket on a store without them", lambda: s3.create_bucket(Bucket=dotted), "InvalidBucketName", 400)
        check("no dotted bucket is left", dotted not in [b["Name"] for b in s3.list_buckets()["Buckets"]])
        check("create an existing bucket (us-east-1: 200, as S3)", s3.create_bucket(Bucket=BUCKET)["ResponseMetadata"]["HTTPStatusCode"] == 200)
        s3.put_object(Bucket=BUCKET, Key="foo", Body=b"foo body")
        expect("delete a bucket with objects", lambda: s3.delete_bucket(Bucket=BUCKET), "BucketNotEmpty", 409)
        if os.environ["MISSING_BUCKETS_VISIBLE"] == "1":
            expect("delete a missing bucket", lambda: s3.delete_bucket(Bucket="no-such-bucket-s3t"), "NoSuchBucket", 404)
            expect("list a missing bucket", lambda: s3.list_objects(Bucket="no-such-bucket-s3t"), "NoSuchBucket", 404)
            expect("put into a missing bucket", lambda: s3.put_object(Bucket="no-such-bucket-s3t", Key="k", Body=b"x"), "NoSuchBucket", 404)
        expect("get a missing key", lambda: s3.get_object(Bucket=BUCKET, Key="missing"), "NoSuchKey", 404)
        check("delete a missing key is 204", s3.delete_object(Bucket=BUCKET, Key="missing")["ResponseMetadata"]["HTTPStatusCode"] == 204)
        expect("copy onto itself without REPLACE", lambda: s3.copy_object(Bucket=BUCKET, Key="foo", CopySource={"Bucket": BUCKET, "Key": "foo"}), "InvalidRequest", 400)
        s3.copy_object(Bucket=BUCKET, Key="foo", CopySource={"Bucket": BUCKET, "Key": "foo"}, MetadataDirective="REPLACE", Metadata={"k": "v"})
        check("copy onto itself with REPLACE keeps the body", s3.get_object(Bucket=BUCKET, Key="foo")["Body"].read() == b"foo body")
        check("copy onto itself with REPLACE sets metadata", s3.head_object(Bucket=BUCKET, Key="foo")["Metadata"] == {"k": "v"})
        expect("copy a missing source", lambda: s3.copy_object(Bucket=BUCKET, Key="dst", CopySource={"Bucket": BUCKET, "Key": "missing"}), "NoSuchKey", 404)
        s3.put_object(Bucket=BUCKET, Key="empty", Body=b"")
        expect("a range of an empty object", lambda: s3.get_object(Bucket=BUCKET, Key="empty", Range="bytes=40-50"), "InvalidRange", 416)
        s3.put_object(Bucket=BUCKET, Key="eleven", Body=b"testcontent")
        r = s3.get_object(Bucket=BUCKET, Key="eleven", Range="bytes=4-7")
        check("range 4-7", r["ResponseMetadata"]["HTTPStatusCode"] == 206 and r["ContentRange"] == "bytes 4-7/11" and r["Body"].read() == b"cont")
        check("range 4-", s3.get_object(Bucket=BUCKET, Key="eleven", Range="bytes=4-")["Body"].read() == b"content")
        check("range -7", s3.get_object(Bucket=BUCKET, Key="eleven", Range="bytes=-7")["Body"].read() == b"content")
        expect("range past the end", lambda: s3.get_object(Bucket=BUCKET, Key="eleven", Range="bytes=40-50"), "InvalidRange", 416)
        def raw_code(status, body): return (body.split(b"<Code>")[1].split(b"</Code>")[0].decode() if b"<Code>" in body else None, status)
        got = raw_code(*raw("PUT", f"{ENDPOINT}/{BUCKET}/nothing", b"x", headers={"If-Match": '"793a3e0b9e1e6a6c9d1e6b1a3a2d5c2e"'}))
        check(f"put If-Match on a missing key: {got}", got == ("PreconditionFailed", 412))
        # S3 takes only * in a write's If-None-Match (s3-tests' put_object_ifnonmatch_good and _failed are fails_on_aws).
        got = raw_code(*raw("PUT", f"{ENDPOINT}/{BUCKET}/eleven", b"replaced", headers={"If-None-Match": '"ABCORZ"'}))
        check(f"put If-None-Match with another ETag: {got}", got == ("NotImplemented", 501))
        etag = s3.head_object(Bucket=BUCKET, Key="eleven")["ETag"]
        got = raw_code(*raw("PUT", f"{ENDPOINT}/{BUCKET}/eleven", b"x", headers={"If-None-Match": etag}))
        check(f"put If-None-Match with the current ETag: {got}", got == ("NotImplemented", 501))
        check("the refused puts changed nothing", s3.get_object(Bucket=BUCKET, Key="eleven")["Body"].read() == b"testcontent")
        # Listing edge cases.
        for k in ["bar", "baz", "cab", "foo/x"]: s3.put_object(Bucket=BUCKET, Key=k, Body=b"x")
        r = s3.list_objects(Bucket=BUCKET, MaxKeys=0)
        check("max-keys=0 lists nothing, not truncated", "Contents" not in r and r["IsTruncated"] is False)
        r = s3.list_objects_v2(Bucket=BUCKET, Delimiter="")
        check(f"an empty delimiter is no delimiter: {r}", "Delimiter" not in r and "CommonPrefixes" not in r and len(r["Contents"]) == 7)
        r = s3.list_objects(Bucket=BUCKET, Delimiter="a")
        check("delimiter 'a'", [p["Prefix"] for p in r.get("CommonPrefixes", [])] == ["ba", "ca"])
        r = s3.list_objects(Bucket=BUCKET, Prefix="\x0a")
        check("an unreadable prefix lists nothing", "Contents" not in r and r["ResponseMetadata"]["HTTPStatusCode"] == 200)
        r = s3.list_objects(Bucket=BUCKET, Delimiter="\x0a")
        check(f"an unreadable delimiter rolls up nothing: {r}", "CommonPrefixes" not in r and len(r["Contents"]) == 7)
        status, body = raw("GET", f"{ENDPOINT}/{BUCKET}?max-keys=blah")
        check(f"max-keys=blah: {status} {body[:200]}", status == 400 and b"<Code>InvalidArgument</Code>" in body)
        r = s3.list_objects(Bucket=BUCKET, Marker="zzz")
        check("a marker after every key", "Contents" not in r and r["IsTruncated"] is False)
        r = s3.list_objects(Bucket=BUCKET)
        check("v1 listings name the owner", all("Owner" in o for o in r["Contents"]))
        check("v2 listings name no owner unless asked", all("Owner" not in o for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]))
        r = s3.list_objects_v2(Bucket=BUCKET, ContinuationToken="")
        check(f"an empty continuation token lists from the start: {r}", len(r.get("Contents", [])) == 7)
        for k in ["asdf+b", "foo+1/bar", "quux ab/thud"]: s3.put_object(Bucket=BUCKET, Key=k, Body=b"x")
        r = s3.list_objects_v2(Bucket=BUCKET, Delimiter="/", EncodingType="url")
        check(f"encoding-type=url: {r.get('Contents')} {r.get('CommonPrefixes')}", "asdf%2Bb" in [o["Key"] for o in r["Contents"]]
              and [p["Prefix"] for p in r["CommonPrefixes"]] == ["foo%2B1/", "foo/", "quux%20ab/"])
        # Multipart.
        up = s3.create_multipart_upload(Bucket=BUCKET, Key="mp")["UploadId"]
        expect("complete with no parts", lambda: s3.complete_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=up, MultipartUpload={"Parts": []}), "MalformedXML", 400)
        e1 = s3.upload_part(Bucket=BUCKET, Key="mp", UploadId=up, PartNumber=1, Body=b"a" * 1000)["ETag"]
        e2 = s3.upload_part(Bucket=BUCKET, Key="mp", UploadId=up, PartNumber=2, Body=b"b" * 1000)["ETag"]
        expect("complete with a small part", lambda: s3.complete_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=up,
               MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]}), "EntityTooSmall", 400)
        expect("complete with a missing part", lambda: s3.complete_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=up,
               MultipartUpload={"Parts": [{"PartNumber": 9999, "ETag": e1}]}), "InvalidPart", 400)
        expect("complete with a wrong ETag", lambda: s3.complete_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=up,
               MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"93"'}]}), "InvalidPart", 400)
        expect("complete out of order", lambda: s3.complete_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=up,
               MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]}), "InvalidPartOrder", 400)
        s3.abort_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=up)
        expect("abort an aborted upload", lambda: s3.abort_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=up), "NoSuchUpload", 404)
        expect("upload a part to an unknown upload", lambda: s3.upload_part(Bucket=BUCKET, Key="mp", UploadId="0" * 32, PartNumber=1, Body=b"x"), "NoSuchUpload", 404)
        expect("copy a range past the source", lambda: s3.upload_part_copy(Bucket=BUCKET, Key="mp", UploadId=s3.create_multipart_upload(Bucket=BUCKET, Key="mp")["UploadId"],
               PartNumber=1, CopySource={"Bucket": BUCKET, "Key": "bar"}, CopySourceRange="bytes=0-21"), "InvalidRange", 416)
        got = raw_code(*raw("PUT", f"{ENDPOINT}/{BUCKET}/md5", b"x", headers={"Content-MD5": ""}))
        check(f"an empty Content-MD5: {got}", got == ("InvalidDigest", 400))
        got = raw_code(*raw("PUT", f"{ENDPOINT}/{BUCKET}/md5", b"x", headers={"Content-MD5": "YWJyYWNhZGFicmE="}))
        check(f"a short Content-MD5: {got}", got == ("InvalidDigest", 400))
        s3.put_object(Bucket=BUCKET, Key="meta", Body=b"x", Metadata={"meta1": "mymeta"})
        s3.put_object(Bucket=BUCKET, Key="meta", Body=b"x", Metadata={"meta2": "other"})
        check("metadata is replaced on put", s3.head_object(Bucket=BUCKET, Key="meta")["Metadata"] == {"meta2": "other"})
        check("head of a missing key is 404", error_of(lambda: s3.head_object(Bucket=BUCKET, Key="missing"))[1] == 404)
        if os.environ["MISSING_BUCKETS_VISIBLE"] == "1":
            check("head of a missing bucket is 404", error_of(lambda: s3.head_bucket(Bucket="no-such-bucket-s3t"))[1] == 404)
        check("bucket location", s3.get_bucket_location(Bucket=BUCKET)["ResponseMetadata"]["HTTPStatusCode"] == 200)
        try:
            s3.get_object(Bucket=BUCKET, Key="missing")
        except botocore.exceptions.ClientError as e:
            check("the error's RequestId is x-amz-request-id", e.response["Error"].get("RequestId", e.response["ResponseMetadata"].get("RequestId")) == e.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"])
        assert not failures, "\n".join(failures)
        """, "compatibility suite's error codes");
}
