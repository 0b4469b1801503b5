namespace Gateway.Testing.S3;

/// <summary>
/// The header probes of ceph/s3-tests' test_headers.py, reproduced with our own code: boto3 (SigV4 and SigV2 clients)
/// with headers added or removed just before signing, and each refusal leaving nothing stored.
/// </summary>
public abstract partial class S3ClientSuite
{
    [Xunit.Fact]
    public Task Header_probes_answer_as_s3_does_and_refusals_store_nothing() => RunBotoAsync("""
        import uuid, email.utils
        def sclient(sig):
            return boto3.client("s3", endpoint_url=ENDPOINT, aws_access_key_id=os.environ["KEY_ID"], aws_secret_access_key=os.environ["SECRET"],
                                region_name=REGION, config=Config(signature_version=sig, s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
        def with_headers(c, event, add=None, remove=None):
            def hook(params, **kw):
                if add: params["headers"].update(add)
                if remove and remove in params["headers"]: del params["headers"][remove]
            c.meta.events.register(event, hook)
            return c
        def outcome(call):
            try:
                call(); return "ok"
            except botocore.exceptions.ClientError as e:
                return (e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"].get("Code"))
        def stored(key):
            return [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=key).get("Contents", []) if o["Key"] == key]
        results = []
        def obj(name, sig, expected, add=None, remove=None, body="bar", **put):
            key = "hdr/" + name.replace(" ", "-")
            c = with_headers(sclient(sig), "before-call.s3.PutObject", add, remove)
            got = outcome(lambda: c.put_object(Bucket=BUCKET, Key=key, Body=body, **put))
            keys = stored(key)
            ok = got == expected and (got == "ok" or keys == [])
            results.append((ok, name, expected, got, keys))
        def bkt(name, sig, expected, add=None, remove=None):
            c = with_headers(sclient(sig), "before-call.s3.CreateBucket", add, remove)
            n = "s3t-hdr-" + uuid.uuid4().hex[:12]
            got = outcome(lambda: c.create_bucket(Bucket=n))
            if got == "ok": s3.delete_bucket(Bucket=n)
            results.append((got == expected, name, expected, got, None))
        obj("md5 invalid short", "s3v4", (400, "InvalidDigest"), add={"Content-MD5": "YWJyYWNhZGFicmE="})
        obj("md5 bad", "s3v4", (400, "BadDigest"), add={"Content-MD5": "rL0Y20xC+Fzt72VPzMSk2A=="})
        obj("md5 empty", "s3v4", (400, "InvalidDigest"), add={"Content-MD5": ""})
        obj("md5 none", "s3v4", "ok", remove="Content-MD5")
        obj("expect 200", "s3v4", "ok", add={"Expect": "200"})
        obj("expect empty", "s3v4", "ok", add={"Expect": ""})
        obj("expect none", "s3v4", "ok", remove="Expect")
        obj("content-length empty", "s3v4", (400, "400"), add={"Content-Length": ""})
        obj("content-length none", "s3v4", "ok", remove="Content-Length")  # botocore puts the length back when it prepares the request
        obj("content-type text/plain", "s3v4", "ok", add={"Content-Type": "text/plain"})
        obj("content-type empty", "s3v4", "ok", ContentType="")
        obj("date and amz-date", "s3v4", "ok", add={"Date": email.utils.formatdate(usegmt=True), "X-Amz-Date": email.utils.formatdate(usegmt=True)})
        obj("amz-date and no date", "s3v4", "ok", add={"Date": "", "X-Amz-Date": email.utils.formatdate(usegmt=True)})
        bkt("bucket content-length none", "s3v4", "ok", remove="Content-Length")
        bkt("bucket expect 200", "s3v4", "ok", add={"Expect": "200"})
        bkt("bucket expect empty", "s3v4", "ok", add={"Expect": ""})
        bkt("bucket content-length empty", "s3v4", (400, "400"), add={"Content-Length": ""})
        bkt("bucket content-length -1", "s3v4", (400, "400"), add={"Content-Length": "-1"})
        obj("v2 md5 garbage", "s3", (400, "InvalidDigest"), add={"Content-MD5": "AWS HAHAHA"})
        obj("v2 content-length below", "s3", (400, "BadDigest"), add={"Content-Length": "2"})
        obj("v2 ua empty", "s3", "ok", add={"User-Agent": ""})
        obj("v2 ua none", "s3", "ok", remove="User-Agent")
        obj("v2 date invalid", "s3", (403, "AccessDenied"), add={"x-amz-date": "Bad Date"})
        obj("v2 date empty", "s3", (403, "AccessDenied"), add={"x-amz-date": ""})
        obj("v2 date 2010", "s3", (403, "RequestTimeTooSkewed"), add={"x-amz-date": "Tue, 07 Jul 2010 21:53:04 GMT"})
        obj("v2 date 1950", "s3", (403, "AccessDenied"), add={"x-amz-date": "Tue, 07 Jul 1950 21:53:04 GMT"})
        obj("v2 date 9999", "s3", (403, "RequestTimeTooSkewed"), add={"x-amz-date": "Tue, 07 Jul 9999 21:53:04 GMT"})
        bkt("v2 bucket ua empty", "s3", "ok", add={"User-Agent": ""})
        bkt("v2 bucket ua none", "s3", "ok", remove="User-Agent")
        bkt("v2 bucket date invalid", "s3", (403, "AccessDenied"), add={"x-amz-date": "Bad Date"})
        bkt("v2 bucket date empty", "s3", (403, "AccessDenied"), add={"x-amz-date": ""})
        bkt("v2 bucket date 2010", "s3", (403, "RequestTimeTooSkewed"), add={"x-amz-date": "Tue, 07 Jul 2010 21:53:04 GMT"})
        bkt("v2 bucket date 2030", "s3", (403, "RequestTimeTooSkewed"), add={"x-amz-date": "Tue, 07 Jul 2030 21:53:04 GMT"})
        bkt("v2 bucket date 1950", "s3", (403, "AccessDenied"), add={"x-amz-date": "Tue, 07 Jul 1950 21:53:04 GMT"})
        got = outcome(lambda: s3.put_object(Bucket=BUCKET, Key="hdr/negative", ContentLength=-1))
        results.append((got != "ok" and got[0] == 400 and stored("hdr/negative") == [], "content-length -1", 400, got, stored("hdr/negative")))
        # A body of unknown length (plain chunked, not aws-chunked) is refused as S3 refuses it.
        url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "hdr/chunked"}, ExpiresIn=300)
        status, answer = curl("-X", "PUT", "-H", "Transfer-Encoding: chunked", "--data-binary", "chunked body", url)
        results.append((status == 411 and b"<Code>MissingContentLength</Code>" in answer and stored("hdr/chunked") == [], "chunked put", 411, (status, answer[:120]), stored("hdr/chunked")))
        bad = [r for r in results if not r[0]]
        assert not bad, "\n".join(f"{name}: expected {expected}, got {got}, stored {keys}" for _, name, expected, got, keys in bad)
        """, "test_headers probes");
}
