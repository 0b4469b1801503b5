using Xunit;

namespace Gateway.Testing.S3;

public abstract partial class S3ClientSuite
{
    /// <summary>The boto3 client every script uses: SigV4 (also for presigned URLs) and path-style addressing; REGION from the environment.</summary>
    public const string BotoPrelude = """
        import os, re, sys, subprocess, time, datetime, urllib.request, urllib.error
        import boto3, botocore, botocore.auth, botocore.awsrequest, botocore.credentials
        from botocore.config import Config
        ENDPOINT, REGION = os.environ["ENDPOINT"], os.environ["REGION"]
        def client(key=os.environ["KEY_ID"], secret=os.environ["SECRET"], region=REGION):
            return boto3.client("s3", endpoint_url=ENDPOINT, aws_access_key_id=key, aws_secret_access_key=secret, region_name=region,
                                config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
        s3 = client()
        BUCKET = sys.argv[1]
        def error_of(call):
            try:
                call()
            except botocore.exceptions.ClientError as e:
                return e.response["Error"].get("Code"), e.response["ResponseMetadata"]["HTTPStatusCode"]
            raise AssertionError("expected an error")
        def curl(*args):
            r = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", *args], capture_output=True, check=True)
            body, _, status = r.stdout.rpartition(b"\n")
            return int(status), body
        class frozen_clock:
            # botocore's own SigV4 signers read the clock through botocore.auth.datetime; freezing it signs "at" a given time.
            def __init__(self, at): self.at = at
            def __enter__(self):
                at = self.at
                class Frozen(datetime.datetime):
                    @classmethod
                    def utcnow(cls): return at
                self.real = botocore.auth.datetime
                botocore.auth.datetime = type("m", (), {"datetime": Frozen, "timedelta": datetime.timedelta})
            def __exit__(self, *exc): botocore.auth.datetime = self.real
        def signer(cls, key, secret, region, **kw):
            return cls(botocore.credentials.Credentials(key, secret), "s3", region, **kw)
        def raw(method, url, body=b"", region=REGION, key=os.environ["KEY_ID"], secret=os.environ["SECRET"], headers=None, signed_body=None, at=None):
            # A request signed by botocore's own SigV4 signer (over signed_body when given, so the body sent differs from
            # the one signed), sent without any client-side retry or region redirect.
            req = botocore.awsrequest.AWSRequest(method=method, url=url, data=body if signed_body is None else signed_body, headers=dict(headers or {}))
            with frozen_clock(at or datetime.datetime.utcnow()):
                signer(botocore.auth.S3SigV4Auth, key, secret, region).add_auth(req)
            prepared = req.prepare()
            r = urllib.request.Request(prepared.url, data=body if method in ("PUT", "POST") else None, method=method, headers=dict(prepared.headers))
            try:
                with urllib.request.urlopen(r) as resp: return resp.status, resp.read()
            except urllib.error.HTTPError as e:
                return e.code, e.read()
        # The error code, and one element's text, of an S3 XML answer.
        def code(status, body):
            m = re.search(rb"<Code>(.*?)</Code>", body)
            return status, (m.group(1).decode() if m else None)
        def field(body, name):
            m = re.search(rb"<%s>(.*?)</%s>" % (name.encode(), name.encode()), body)
            return m.group(1).decode() if m else None
        def presign(method, url, expires, at, key=os.environ["KEY_ID"], secret=os.environ["SECRET"]):
            req = botocore.awsrequest.AWSRequest(method=method, url=url)
            with frozen_clock(at):
                signer(botocore.auth.S3SigV4QueryAuth, key, secret, REGION, expires=expires).add_auth(req)
            return req.prepare().url
        """;

    private async Task RunBotoAsync(string body, string what)
    {
        var run = await Clients.PythonAsync(BotoPrelude + "\n" + body + "\nprint(\"OK\")\n", [Bucket],
            new Dictionary<string, string?>
            {
                ["MISSING_BUCKETS_VISIBLE"] = MissingBucketsVisible ? "1" : "0",
                ["DOTTED_BUCKETS"] = StoreSettings["Kind"] == "azure-blob" ? "0" : "1",
                ["BACKSLASH_KEYS"] = StoreSettings["Kind"] == "azure-blob" ? "0" : "1",
                ["LISTING_ORDER"] = StoreListsInUtf16Order ? "utf16" : "utf8",
                ["STORE_KIND"] = StoreSettings["Kind"],
            });
        Assert.True(run.ExitCode == 0 && run.Stdout.TrimEnd().EndsWith("OK"), $"{what}: {run}");
    }

    [Fact]
    public Task Boto3_presigned_get_and_put_work_with_curl() => RunBotoAsync("""
        s3.put_object(Bucket=BUCKET, Key="pre/get.txt", Body=b"presigned body")
        url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "pre/get.txt"}, ExpiresIn=300)
        assert "X-Amz-Signature=" in url, url
        status, body = curl(url)
        assert status == 200 and body == b"presigned body", (status, body)
        put = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "pre/put.txt"}, ExpiresIn=300)
        status, body = curl("-X", "PUT", "--data-binary", "uploaded by curl", put)
        assert status == 200, (status, body)
        assert s3.get_object(Bucket=BUCKET, Key="pre/put.txt")["Body"].read() == b"uploaded by curl"
        # A presigned URL names one object: using it for another is a bad signature.
        status, body = curl(url.replace("pre/get.txt", "pre/put.txt"))
        assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body, (status, body)
        """, "presigned GET/PUT");

    [Fact]
    public Task A_presigned_put_takes_the_x_amz_headers_its_presigner_moved_into_the_query() => RunBotoAsync("""
        # Ruby's, PHP's, Go v1's and JavaScript v3's presigners move x-amz-* headers into the query string, which SigV4 signs;
        # S3 takes them as the headers, so the object keeps the metadata and tags the URL names.
        now = datetime.datetime.utcnow()
        url = presign("PUT", f"{ENDPOINT}/{BUCKET}/hoisted.txt?x-amz-meta-owner=ruby&x-amz-tagging=team%3Dblue&x-amz-storage-class=STANDARD", 300, now)
        status, body = curl("-X", "PUT", "--data-binary", "hoisted", url)
        assert status == 200, (status, body)
        assert s3.head_object(Bucket=BUCKET, Key="hoisted.txt")["Metadata"] == {"owner": "ruby"}
        assert s3.get_object_tagging(Bucket=BUCKET, Key="hoisted.txt")["TagSet"] == [{"Key": "team", "Value": "blue"}]
        # Signed with the rest of the query: one appended to a URL is a bad signature.
        status, body = curl("-X", "PUT", "--data-binary", "x", url + "&x-amz-meta-added=1")
        assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body, (status, body)
        # A canned ACL that would share is refused as in a header, never ignored, and nothing is stored.
        status, body = curl("-X", "PUT", "--data-binary", "x", presign("PUT", f"{ENDPOINT}/{BUCKET}/shared.txt?x-amz-acl=public-read", 300, now))
        assert status == 400 and b"<Code>AccessControlListNotSupported</Code>" in body, (status, body)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="shared.txt"))[1] == 404
        # A bucket owner condition in the query is kept as in a header: another owner is AccessDenied, nothing stored.
        status, body = curl("-X", "PUT", "--data-binary", "x", presign("PUT", f"{ENDPOINT}/{BUCKET}/owned.txt?x-amz-expected-bucket-owner=111122223333", 300, now))
        assert status == 403 and b"<Code>AccessDenied</Code>" in body, (status, body)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="owned.txt"))[1] == 404
        status, body = curl("-X", "PUT", "--data-binary", "mine", presign("PUT", f"{ENDPOINT}/{BUCKET}/owned.txt?x-amz-expected-bucket-owner=s3-tester", 300, now))
        assert status == 200, (status, body)
        """, "x-amz-* headers in a presigned URL's query");

    [Fact]
    public Task Boto3_deletes_in_batches_and_pages_through_list_objects_v2() => RunBotoAsync("""
        keys = [f"page/k{i:02d}" for i in range(10)] + ["page/sub/a", "page/sub/b", "other/x"]
        for k in keys: s3.put_object(Bucket=BUCKET, Key=k, Body=k.encode())
        seen, tokens = [], 0
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="page/", PaginationConfig={"PageSize": 3}):
            seen += [o["Key"] for o in page.get("Contents", [])]
            assert page["KeyCount"] <= 3, page["KeyCount"]
            tokens += 1
        assert seen == sorted(k for k in keys if k.startswith("page/")), seen
        assert tokens == 4, tokens
        prefixes = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Delimiter="/", Prefix="page/", PaginationConfig={"PageSize": 4}):
            prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        assert prefixes == ["page/sub/"], prefixes
        after = s3.list_objects_v2(Bucket=BUCKET, Prefix="page/", StartAfter="page/k07")
        assert [o["Key"] for o in after["Contents"]] == ["page/k08", "page/k09", "page/sub/a", "page/sub/b"], after["Contents"]
        v1 = s3.list_objects(Bucket=BUCKET, Prefix="page/", MaxKeys=5)
        # S3 answers NextMarker only to a listing with a delimiter; without one the client goes on from the last key.
        assert v1["IsTruncated"] and len(v1["Contents"]) == 5 and "NextMarker" not in v1, v1
        v1b = s3.list_objects(Bucket=BUCKET, Prefix="page/", Marker=v1["Contents"][-1]["Key"])
        rolled = s3.list_objects(Bucket=BUCKET, Prefix="page/", Delimiter="/", MaxKeys=10)
        assert rolled["IsTruncated"] and rolled["NextMarker"] == "page/k09" and "CommonPrefixes" not in rolled, rolled
        assert [o["Key"] for o in v1["Contents"] + v1b["Contents"]] == sorted(k for k in keys if k.startswith("page/"))
        owner = s3.list_objects_v2(Bucket=BUCKET, Prefix="other/", FetchOwner=True)["Contents"][0]
        assert owner["Owner"]["ID"] == "s3-tester", owner
        r = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in keys] + [{"Key": "never/existed"}]})
        assert len(r["Deleted"]) == len(keys) + 1 and not r.get("Errors"), r
        assert s3.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0
        """, "DeleteObjects and ListObjectsV2 pagination");

    [Fact]
    public Task Boto3_reads_ranges_and_conditionals_and_writes_create_only() => RunBotoAsync("""
        etag = s3.put_object(Bucket=BUCKET, Key="cond.txt", Body=b"0123456789")["ETag"]
        assert s3.get_object(Bucket=BUCKET, Key="cond.txt", Range="bytes=2-4")["Body"].read() == b"234"
        assert s3.get_object(Bucket=BUCKET, Key="cond.txt", Range="bytes=-3")["Body"].read() == b"789"
        assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="cond.txt", Range="bytes=50-60")) == ("InvalidRange", 416)
        assert s3.get_object(Bucket=BUCKET, Key="cond.txt", IfMatch=etag)["Body"].read() == b"0123456789"
        assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="cond.txt", IfMatch='"nope"')) == ("PreconditionFailed", 412)
        assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="cond.txt", IfNoneMatch=etag))[1] == 304
        future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        past = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
        assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="cond.txt", IfModifiedSince=datetime.datetime.now(datetime.timezone.utc)))[1] == 304
        # Later than the service's clock: S3 takes it as no date and sends the object.
        assert s3.get_object(Bucket=BUCKET, Key="cond.txt", IfModifiedSince=future)["Body"].read() == b"0123456789"
        assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="cond.txt", IfUnmodifiedSince=past)) == ("PreconditionFailed", 412)
        got = s3.get_object(Bucket=BUCKET, Key="cond.txt", ResponseContentType="text/csv", ResponseContentDisposition="attachment; filename=x.csv")
        assert got["ContentType"] == "text/csv" and got["ContentDisposition"] == "attachment; filename=x.csv", got
        # If-None-Match: * makes a write create-only.
        def put_if_absent(): s3.put_object(Bucket=BUCKET, Key="cond.txt", Body=b"other", IfNoneMatch="*")
        try:
            code = error_of(put_if_absent)
        except botocore.exceptions.ParamValidationError:  # an older botocore without IfNoneMatch on PutObject: send the header itself
            def with_header(params, **kwargs): params["headers"]["If-None-Match"] = "*"
            s3.meta.events.register("before-call.s3.PutObject", with_header)
            code = error_of(lambda: s3.put_object(Bucket=BUCKET, Key="cond.txt", Body=b"other"))
            s3.meta.events.unregister("before-call.s3.PutObject", with_header)
        assert code == ("PreconditionFailed", 412), code
        assert s3.get_object(Bucket=BUCKET, Key="cond.txt")["Body"].read() == b"0123456789"
        import base64, hashlib
        wrong_md5 = base64.b64encode(hashlib.md5(b"not the body").digest()).decode()
        assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key="md5.txt", Body=b"the body", ContentMD5=wrong_md5))[0] == "BadDigest"
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="md5.txt"))[1] == 404
        assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="missing")) == ("NoSuchKey", 404)
        missing = error_of(lambda: s3.get_object(Bucket="s3t-no-such-bucket", Key="x"))
        assert missing == ("NoSuchBucket", 404) or (os.environ["MISSING_BUCKETS_VISIBLE"] == "0" and missing[1] == 404), missing
        """, "ranges and conditionals");

    [Fact]
    public Task Boto3_multipart_upload_lists_parts_copies_a_part_and_completes_with_the_multipart_etag() => RunBotoAsync("""
        import hashlib
        part1, part2 = os.urandom(5 * 1024 * 1024), b"tail"
        s3.put_object(Bucket=BUCKET, Key="mp/source", Body=b"0123456789abcdef")
        up = s3.create_multipart_upload(Bucket=BUCKET, Key="mp/obj", ContentType="text/x-parts", Metadata={"kind": "mp"})["UploadId"]
        e1 = s3.upload_part(Bucket=BUCKET, Key="mp/obj", UploadId=up, PartNumber=1, Body=part1)["ETag"]
        e2 = s3.upload_part(Bucket=BUCKET, Key="mp/obj", UploadId=up, PartNumber=2, Body=part2)["ETag"]
        e3 = s3.upload_part_copy(Bucket=BUCKET, Key="mp/obj", UploadId=up, PartNumber=3, CopySource={"Bucket": BUCKET, "Key": "mp/source"}, CopySourceRange="bytes=4-7")["CopyPartResult"]["ETag"]
        parts = s3.list_parts(Bucket=BUCKET, Key="mp/obj", UploadId=up)["Parts"]
        assert [p["PartNumber"] for p in parts] == [1, 2, 3] and parts[1]["Size"] == 4, parts
        uploads = s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
        assert [(u["Key"], u["UploadId"]) for u in uploads] == [("mp/obj", up)], uploads
        # Parts other than the last must be at least 5 MiB.
        assert error_of(lambda: s3.complete_multipart_upload(Bucket=BUCKET, Key="mp/obj", UploadId=up, MultipartUpload={"Parts": [
            {"PartNumber": 2, "ETag": e2}, {"PartNumber": 3, "ETag": e3}]})) == ("EntityTooSmall", 400)
        assert error_of(lambda: s3.complete_multipart_upload(Bucket=BUCKET, Key="mp/obj", UploadId=up, MultipartUpload={"Parts": [
            {"PartNumber": 1, "ETag": '"00000000000000000000000000000000"'}]})) == ("InvalidPart", 400)
        done = s3.complete_multipart_upload(Bucket=BUCKET, Key="mp/obj", UploadId=up, MultipartUpload={"Parts": [
            {"PartNumber": 1, "ETag": e1}, {"PartNumber": 3, "ETag": e3}]})
        md5s = b"".join(bytes.fromhex(e.strip('"')) for e in (e1, e3))
        assert done["ETag"] == '"%s-2"' % hashlib.md5(md5s).hexdigest(), done["ETag"]
        # As S3 answers it: the object's absolute URL, as this client addressed the front door.
        assert done["Location"] == ENDPOINT.rstrip("/") + f"/{BUCKET}/mp/obj", done["Location"]
        got = s3.get_object(Bucket=BUCKET, Key="mp/obj")
        assert got["Body"].read() == part1 + b"4567" and got["ContentType"] == "text/x-parts" and got["Metadata"] == {"kind": "mp"}, got["Metadata"]
        assert got["ETag"] == done["ETag"]
        assert error_of(lambda: s3.list_parts(Bucket=BUCKET, Key="mp/obj", UploadId=up)) == ("NoSuchUpload", 404)
        assert s3.list_objects_v2(Bucket=BUCKET, Prefix="mp/")["KeyCount"] == 2
        aborted = s3.create_multipart_upload(Bucket=BUCKET, Key="mp/aborted")["UploadId"]
        s3.upload_part(Bucket=BUCKET, Key="mp/aborted", UploadId=aborted, PartNumber=1, Body=b"x")
        s3.abort_multipart_upload(Bucket=BUCKET, Key="mp/aborted", UploadId=aborted)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="mp/aborted"))[1] == 404
        assert not s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads"), "aborted upload still listed"
        """, "multipart");
}
