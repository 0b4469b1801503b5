using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// More answers the public compatibility suite (ceph/s3-tests, test_s3.py) asserts, found by walking its bucket, listing,
/// object, copy, conditional and multipart tests; each line here is a mismatch that was fixed.
/// </summary>
public abstract partial class S3ClientSuite
{
    [Fact]
    public Task Boto3_gets_the_listing_and_write_answers_the_compatibility_suite_walk_found() => RunBotoAsync("""
        failures = []
        def check(what, condition):
            if not condition: failures.append(what)
        for k in ["b/a/r", "b/a/c", "g", "foo", " ", "_ _"]: s3.put_object(Bucket=BUCKET, Key=k, Body=k.encode())
        # A prefix no key can start with lists nothing (200), it is not refused.
        for prefix in ["/", "\\x", "b/../", "a/./b"]:
            for r in [s3.list_objects(Bucket=BUCKET, Delimiter="d", Prefix=prefix), s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)]:
                check(f"prefix {prefix!r} lists nothing: {r}", "Contents" not in r and "CommonPrefixes" not in r)
        # v1 answers the prefix as given even with encoding-type=url (botocore decodes it only in v2).
        check("v1 prefix \\n echoed", s3.list_objects(Bucket=BUCKET, Prefix="\x0a")["Prefix"] == "\x0a")
        check("v2 prefix \\n echoed", s3.list_objects_v2(Bucket=BUCKET, Prefix="\x0a")["Prefix"] == "\x0a")
        r = s3.list_objects_v2(Bucket=BUCKET, ContinuationToken="")
        check(f"an empty continuation token is echoed: {r}", r.get("ContinuationToken") == "" and len(r["Contents"]) == 6)
        # A control character in a metadata value is refused, and nothing is stored.
        for v in ["\x04mymeta", "h\x04", "h\x04w"]:
            try:
                code = error_of(lambda: s3.put_object(Bucket=BUCKET, Key="meta-bad", Body=b"x", Metadata={"meta1": v}))
            except AssertionError:
                code = None
            check(f"metadata {v!r}: {code}", code == ("InvalidArgument", 400))
        check("nothing stored", error_of(lambda: s3.head_object(Bucket=BUCKET, Key="meta-bad"))[1] == 404)
        check("an empty metadata value round-trips", s3.put_object(Bucket=BUCKET, Key="meta-empty", Body=b"x", Metadata={"meta1": ""}) and
              s3.head_object(Bucket=BUCKET, Key="meta-empty")["Metadata"] == {"meta1": ""})
        # Keys that are all whitespace are keys: DeleteObjects must not read <Key> </Key> as empty.
        r = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": " "}, {"Key": "_ _"}], "Quiet": True})
        check(f"whitespace keys deleted: {r}", not r.get("Errors"))
        left = [o["Key"] for o in s3.list_objects(Bucket=BUCKET).get("Contents", [])]
        check(f"whitespace keys gone: {left}", " " not in left and "_ _" not in left)
        # Conditional writes with ETags given unquoted, as the suite sends them.
        etag = s3.put_object(Bucket=BUCKET, Key="cond", Body=b"bar")["ETag"].strip('"')
        status, _ = raw("PUT", f"{ENDPOINT}/{BUCKET}/cond", b"zar", headers={"If-Match": etag})
        check(f"If-Match unquoted: {status}", status == 200)
        status, _ = raw("PUT", f"{ENDPOINT}/{BUCKET}/cond", b"no", headers={"If-None-Match": s3.head_object(Bucket=BUCKET, Key="cond")["ETag"].strip('"')})
        check(f"If-None-Match unquoted current: {status}", status == 501)  # S3 takes only * there
        status, _ = raw("PUT", f"{ENDPOINT}/{BUCKET}/absent", b"no", headers={"If-Match": "*"})
        check(f"If-Match * on a missing key: {status}", status == 501)  # S3 takes only ETags there
        cur = s3.head_object(Bucket=BUCKET, Key="cond")["ETag"]
        check("copy if-none-match current", error_of(lambda: s3.copy_object(Bucket=BUCKET, CopySource=BUCKET + "/cond", CopySourceIfNoneMatch=cur, Key="c2")) == ("PreconditionFailed", 412))
        s3.copy_object(Bucket=BUCKET, CopySource=BUCKET + "/cond", CopySourceIfNoneMatch="ABCORZ", Key="c3")
        check("copy if-none-match other", s3.get_object(Bucket=BUCKET, Key="c3")["Body"].read() == b"zar")
        # CompleteMultipartUpload again, after it completed: the object it made.
        up = s3.create_multipart_upload(Bucket=BUCKET, Key="mp")["UploadId"]
        e1 = s3.upload_part(Bucket=BUCKET, Key="mp", UploadId=up, PartNumber=1, Body=b"x")["ETag"]
        done = s3.complete_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=up, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}]})
        again = s3.complete_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=up, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}]})
        check(f"re-complete answers the same ETag: {again}", again["ETag"] == done["ETag"])
        check("another upload id is still NoSuchUpload", error_of(lambda: s3.complete_multipart_upload(Bucket=BUCKET, Key="mp", UploadId="0" * 32,
              MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}]})) == ("NoSuchUpload", 404))
        up = s3.create_multipart_upload(Bucket=BUCKET, Key="mp2")["UploadId"]
        for rng in ["0-2", "bytes=0", "bytes=hello-world", "bytes=0-bar", "bytes=hello-", "bytes=0-2,3-5"]:
            got = error_of(lambda: s3.upload_part_copy(Bucket=BUCKET, Key="mp2", UploadId=up, CopySource={"Bucket": BUCKET, "Key": "cond"}, CopySourceRange=rng, PartNumber=1))
            check(f"copy range {rng!r}: {got}", got == ("InvalidArgument", 400))
        s3.abort_multipart_upload(Bucket=BUCKET, Key="mp2", UploadId=up)
        if os.environ["MISSING_BUCKETS_VISIBLE"] == "1":
            gone = BUCKET + "-gone"
            s3.create_bucket(Bucket=gone)
            s3.delete_bucket(Bucket=gone)
            check("delete in a deleted bucket", error_of(lambda: s3.delete_object(Bucket=gone, Key="foo")) == ("NoSuchBucket", 404))
        try:
            s3.get_object(Bucket=BUCKET, Key="\xae\x8a-")
            failures.append("a key with a C1 control character was read")
        except botocore.exceptions.ClientError as e:
            check(f"C1 control in a key: {e.response}", e.response["ResponseMetadata"]["HTTPStatusCode"] == 400
                  and e.response["Error"]["Message"] == "Couldn't parse the specified URI.")
        check("no key with a C1 control is stored", error_of(lambda: s3.put_object(Bucket=BUCKET, Key="c1\x85", Body=b"x"))[1] == 400)
        assert not failures, "\n".join(failures)
        """, "listing and write answers from the compatibility suite walk");
}
