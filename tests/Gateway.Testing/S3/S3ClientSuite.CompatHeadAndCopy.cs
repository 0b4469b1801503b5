using Xunit;

namespace Gateway.Testing.S3;

/// <summary>HeadObject with a Range, CopyObject from a missing source bucket and ListBuckets paging, answered as S3 answers them.</summary>
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

    /// <summary>
    /// Any range of an empty object is InvalidRange on every store kind, as S3 answers it. Until the s3walk helper's walk,
    /// Azurite's 200 with the empty whole was passed on as 200, and s3rver's "206 bytes 0-0/0" without its byte became a 500.
    /// </summary>
    [Fact]
    public Task Boto3_every_range_of_an_empty_object_is_invalid_range() => RunBotoAsync("""
        s3.put_object(Bucket=BUCKET, Key="empty", Body=b"")
        for r in ("bytes=0-", "bytes=0-0", "bytes=0-5", "bytes=-1", "bytes=3-"):
            got = error_of(lambda: s3.get_object(Bucket=BUCKET, Key="empty", Range=r))
            assert got == ("InvalidRange", 416), (r, got)
        whole = s3.get_object(Bucket=BUCKET, Key="empty")
        assert whole["ResponseMetadata"]["HTTPStatusCode"] == 200 and whole["Body"].read() == b"", whole
        """, "ranges of an empty object");

    [Fact]
    public Task Boto3_copy_from_a_missing_bucket_is_no_such_bucket() => RunBotoAsync("""
        s3.put_object(Bucket=BUCKET, Key="src", Body=b"x")
        missing = BUCKET + "-gone"
        # Where the backend lists any bucket name (the GCS emulator) a missing bucket may look like a missing key.
        expected = [("NoSuchBucket", 404)] if os.environ["MISSING_BUCKETS_VISIBLE"] == "1" else [("NoSuchBucket", 404), ("NoSuchKey", 404)]
        got = error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="dst", CopySource={"Bucket": missing, "Key": "src"}))
        assert got in expected, got
        assert error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="dst", CopySource={"Bucket": BUCKET, "Key": "nosuch"})) == ("NoSuchKey", 404)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="dst")) == ("404", 404)
        """, "copy from a missing bucket");

    [Fact]
    public Task Boto3_pages_and_filters_list_buckets() => RunBotoAsync("""
        # Debian's botocore predates ListBuckets paging, so the requests are signed and sent by hand.
        import xml.etree.ElementTree as ET, urllib.parse
        NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
        def list_buckets(**params):
            status, body = raw("GET", f"{ENDPOINT}/?" + urllib.parse.urlencode(params))
            assert status == 200, (status, body)
            doc = ET.fromstring(body)
            return ([b.findtext(NS + "Name") for b in doc.iter(NS + "Bucket")], doc.findtext(NS + "ContinuationToken"),
                    doc.findtext(NS + "Prefix"), [b.findtext(NS + "BucketRegion") for b in doc.iter(NS + "Bucket")])
        family = BUCKET + "-lb"
        names = [family + s for s in ("a", "b", "c")]
        for name in names: s3.create_bucket(Bucket=name)
        try:
            assert list_buckets(prefix=family) == (names, None, family, [REGION] * 3), list_buckets(prefix=family)
            seen, token, pages = [], None, 0
            while True:
                page, token, _, _ = list_buckets(prefix=family, **{"max-buckets": 2}, **({"continuation-token": token} if token else {}))
                seen += page
                pages += 1
                if not token: break
            assert seen == names and pages == 2, (seen, pages)
            assert list_buckets(prefix=family, **{"bucket-region": REGION})[0] == names
            assert list_buckets(prefix=family, **{"bucket-region": "eu-west-1"})[0] == []
            assert BUCKET in [b["Name"] for b in s3.list_buckets()["Buckets"]]
            for bad in ("max-buckets=0", "max-buckets=10001", "max-buckets=x", "continuation-token=%21%21"):
                status, body = raw("GET", f"{ENDPOINT}/?{bad}")
                assert status == 400 and b"<Code>InvalidArgument</Code>" in body, (bad, status, body)
        finally:
            for name in names: s3.delete_bucket(Bucket=name)
        """, "ListBuckets paging");
    /// <summary>
    /// AWS's rule for a copy onto itself (verified against AWS by moto, getmoto/moto#6263): legal when the request names
    /// REPLACE, a server-side encryption or a storage class, even one the object already has; otherwise InvalidRequest.
    /// </summary>
    [Fact]
    public Task Boto3_copy_onto_itself_is_legal_when_it_names_encryption_or_storage_class() => RunBotoAsync($$"""
        ENCRYPTS = {{(StoreEncryptsAtRest ? "True" : "False")}}
        etag = s3.put_object(Bucket=BUCKET, Key="self", Body=b"self body", ContentType="text/plain", Metadata={"k": "v"}, Tagging="t=1")["ETag"]
        same = {"Bucket": BUCKET, "Key": "self"}
        def unchanged():
            h = s3.head_object(Bucket=BUCKET, Key="self")
            assert h["ContentType"] == "text/plain" and h["Metadata"] == {"k": "v"} and h["ETag"] == etag, h
            assert s3.get_object(Bucket=BUCKET, Key="self")["Body"].read() == b"self body"
            assert s3.get_object_tagging(Bucket=BUCKET, Key="self")["TagSet"] == [{"Key": "t", "Value": "1"}]
        assert error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="self", CopySource=same)) == ("InvalidRequest", 400)
        assert error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="self", CopySource=same, MetadataDirective="COPY")) == ("InvalidRequest", 400)
        assert error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="self", CopySource=same, StorageClass="NOT_A_CLASS")) == ("InvalidStorageClass", 400)
        assert error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="self", CopySource=same, ServerSideEncryption="aws:kms")) == ("NotImplemented", 501)
        unchanged()
        r = s3.copy_object(Bucket=BUCKET, Key="self", CopySource=same, StorageClass="STANDARD")
        assert r["CopyObjectResult"]["ETag"] == etag, r
        unchanged()
        if ENCRYPTS:
            r = s3.copy_object(Bucket=BUCKET, Key="self", CopySource=same, ServerSideEncryption="AES256", MetadataDirective="COPY")
            assert r["ServerSideEncryption"] == "AES256" and r["CopyObjectResult"]["ETag"] == etag, r
            unchanged()
        else:
            assert error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="self", CopySource=same, ServerSideEncryption="AES256")) == ("NotImplemented", 501)
            unchanged()
        """, "copy onto itself");

    [Fact]
    public Task Boto3_website_redirect_location_is_refused_not_dropped() => RunBotoAsync("""
        s3.put_object(Bucket=BUCKET, Key="source", Body=b"abc")
        refused = ("NotImplemented", 501)
        assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key="r", Body=b"x", WebsiteRedirectLocation="/elsewhere")) == refused
        assert error_of(lambda: s3.create_multipart_upload(Bucket=BUCKET, Key="r", WebsiteRedirectLocation="/elsewhere")) == refused
        assert error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="r", CopySource={"Bucket": BUCKET, "Key": "source"}, WebsiteRedirectLocation="/elsewhere")) == refused
        assert error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="source", CopySource={"Bucket": BUCKET, "Key": "source"}, WebsiteRedirectLocation="/elsewhere")) == refused
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="r")) == ("404", 404)
        assert not s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads"), "an upload was started"
        assert s3.get_object(Bucket=BUCKET, Key="source")["Body"].read() == b"abc"
        """, "website redirect location");
}
