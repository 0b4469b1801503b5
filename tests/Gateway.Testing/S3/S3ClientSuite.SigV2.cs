using Xunit;

namespace Gateway.Testing.S3;

/// <summary>AWS Signature Version 2, as legacy clients (boto3 with signature_version='s3', s3cmd with signature_v2) sign.</summary>
public abstract partial class S3ClientSuite
{
    private const string V2Prelude = """
        import base64, hmac, hashlib, email.utils
        def v2client(key=os.environ["KEY_ID"], secret=os.environ["SECRET"]):
            return boto3.client("s3", endpoint_url=ENDPOINT, aws_access_key_id=key, aws_secret_access_key=secret, region_name=REGION,
                                config=Config(signature_version="s3", s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
        v2 = v2client()
        def raw2(method, url, body=b"", key=os.environ["KEY_ID"], secret=os.environ["SECRET"], headers=None, authorization=None):
            # Signed by botocore's own SigV2 signer (HmacV1Auth), or sent with the given Authorization header as is.
            # urllib would add a form Content-Type after signing: name one before.
            req = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, headers={"Content-Type": "application/octet-stream", **(headers or {})})
            if authorization is None:
                botocore.auth.HmacV1Auth(botocore.credentials.Credentials(key, secret)).add_auth(req)
            else:
                req.headers["Authorization"] = authorization
                req.headers["Date"] = email.utils.formatdate(usegmt=True)
            prepared = req.prepare()
            r = urllib.request.Request(prepared.url, data=body if method in ("PUT", "POST") else None, method=method, headers=dict(prepared.headers))
            try:
                with urllib.request.urlopen(r) as resp: return resp.status, resp.read()
            except urllib.error.HTTPError as e:
                return e.code, e.read()
        def stored(key):
            try:
                s3.head_object(Bucket=BUCKET, Key=key)
                return True
            except botocore.exceptions.ClientError as e:
                assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 404, e.response
                return False
        """;

    [Fact]
    public Task Boto3_with_signature_v2_puts_gets_lists_copies_and_uploads_in_parts() => RunBotoAsync(V2Prelude + "\n" + """
        v2.put_object(Bucket=BUCKET, Key="v2/a b+c&d", Body=b"hello v2", ContentType="text/plain", Metadata={"origin": "legacy"})
        got = v2.get_object(Bucket=BUCKET, Key="v2/a b+c&d")
        assert got["Body"].read() == b"hello v2" and got["Metadata"] == {"origin": "legacy"} and got["ContentType"] == "text/plain", got
        # response-* overrides are sub-resources: they are part of what V2 signs.
        over = v2.get_object(Bucket=BUCKET, Key="v2/a b+c&d", ResponseContentType="application/x-v2", ResponseCacheControl="no-store")
        assert over["ContentType"] == "application/x-v2" and over["CacheControl"] == "no-store", over
        assert [o["Key"] for o in v2.list_objects(Bucket=BUCKET, Prefix="v2/")["Contents"]] == ["v2/a b+c&d"]
        assert v2.list_objects_v2(Bucket=BUCKET, Prefix="v2/")["KeyCount"] == 1
        v2.copy_object(Bucket=BUCKET, Key="v2/copy", CopySource={"Bucket": BUCKET, "Key": "v2/a b+c&d"})
        assert s3.get_object(Bucket=BUCKET, Key="v2/copy")["Body"].read() == b"hello v2"
        p1 = os.urandom(5 * 1024 * 1024)
        up = v2.create_multipart_upload(Bucket=BUCKET, Key="v2/multi")["UploadId"]
        e1 = v2.upload_part(Bucket=BUCKET, Key="v2/multi", UploadId=up, PartNumber=1, Body=p1)["ETag"]
        e2 = v2.upload_part(Bucket=BUCKET, Key="v2/multi", UploadId=up, PartNumber=2, Body=b"tail")["ETag"]
        assert len(v2.list_parts(Bucket=BUCKET, Key="v2/multi", UploadId=up)["Parts"]) == 2
        v2.complete_multipart_upload(Bucket=BUCKET, Key="v2/multi", UploadId=up,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
        assert v2.get_object(Bucket=BUCKET, Key="v2/multi")["Body"].read() == p1 + b"tail"
        v2.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "v2/copy"}]})
        v2.delete_object(Bucket=BUCKET, Key="v2/multi")
        assert not stored("v2/copy") and not stored("v2/multi")
        assert BUCKET in [b["Name"] for b in v2.list_buckets()["Buckets"]]
        # The same scopes as SigV4: the read-only key may not write here, whichever way it signs.
        reader = v2client(os.environ["READER_KEY_ID"], os.environ["READER_SECRET"])
        assert error_of(lambda: reader.put_object(Bucket=BUCKET, Key="v2/reader", Body=b"x")) == ("AccessDenied", 403)
        assert not stored("v2/reader")
        """, "SigV2 client");

    [Fact]
    public Task Signature_v2_presigned_urls_work_and_expire() => RunBotoAsync(V2Prelude + "\n" + """
        s3.put_object(Bucket=BUCKET, Key="v2pre/get.txt", Body=b"presigned v2")
        url = v2.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "v2pre/get.txt"}, ExpiresIn=300)
        assert "AWSAccessKeyId=" in url and "Signature=" in url and "Expires=" in url, url
        status, body = curl(url)
        assert status == 200 and body == b"presigned v2", (status, body)
        put = v2.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "v2pre/put.txt"}, ExpiresIn=300)
        status, body = curl("-X", "PUT", "-H", "Content-Type:", "--data-binary", "put by curl", put)
        assert status == 200, (status, body)
        assert s3.get_object(Bucket=BUCKET, Key="v2pre/put.txt")["Body"].read() == b"put by curl"
        status, body = curl(url.replace("v2pre/get.txt", "v2pre/put.txt"))
        assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body, (status, body)
        # Signed with an Expires already past: refused, and nothing is written.
        import urllib.parse
        path = "/" + BUCKET + "/v2pre/late.txt"
        expires = str(int(time.time()) - 60)
        sig = base64.b64encode(hmac.new(os.environ["SECRET"].encode(), f"PUT\n\n\n{expires}\n{path}".encode(), hashlib.sha1).digest()).decode()
        late = f"{ENDPOINT}{path}?AWSAccessKeyId={os.environ['KEY_ID']}&Expires={expires}&Signature={urllib.parse.quote(sig, safe='')}"
        status, body = curl("-X", "PUT", "-H", "Content-Type:", "--data-binary", "late", late)
        assert status == 403 and b"<Code>AccessDenied</Code>" in body and b"Request has expired" in body, (status, body)
        assert not stored("v2pre/late.txt")
        # Moving Expires on without the secret breaks the signature.
        status, body = curl("-X", "PUT", "-H", "Content-Type:", "--data-binary", "late", late.replace(f"Expires={expires}", f"Expires={int(expires) + 7200}"))
        assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body, (status, body)
        status, body = curl(f"{ENDPOINT}{path}?AWSAccessKeyId={os.environ['KEY_ID']}&Signature=abc")
        assert status == 403 and b"<Code>AccessDenied</Code>" in body, (status, body)
        """, "SigV2 presigned URLs");

    [Fact]
    public Task Signature_v2_refusals_are_s3_errors_that_store_nothing() => RunBotoAsync(V2Prelude + "\n" + """
        url = ENDPOINT + "/" + BUCKET + "/v2bad/"
        status, body = raw2("PUT", url + "ok", b"fine")
        assert status == 200, (status, body)
        status, body = raw2("PUT", url + "badsig", b"x", secret="wrong-secret-wrong-secret")
        assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body, (status, body)
        assert os.environ["SECRET"].encode() not in body
        status, body = raw2("PUT", url + "unknown", b"x", key="AKUNKNOWNKEY0000")
        assert status == 403 and b"<Code>InvalidAccessKeyId</Code>" in body, (status, body)
        status, body = raw2("PUT", url + "garbage", b"x", authorization="AWS HAHAHA")
        assert status == 400 and b"<Code>InvalidArgument</Code>" in body, (status, body)
        status, body = raw2("PUT", url + "forged", b"x", authorization="AWS " + os.environ["KEY_ID"] + ":FWeDfwojDSdS2Ztmpfeubhd9isU=")
        assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body, (status, body)
        for date, code in [("Bad Date", b"AccessDenied"), ("", b"AccessDenied"), ("Tue, 07 Jul 1950 21:53:04 GMT", b"AccessDenied"),
                           ("Tue, 07 Jul 2010 21:53:04 GMT", b"RequestTimeTooSkewed"), ("Tue, 07 Jul 9999 21:53:04 GMT", b"RequestTimeTooSkewed"),
                           (email.utils.formatdate(time.time() - 20 * 60, usegmt=True), b"RequestTimeTooSkewed")]:
            status, body = raw2("PUT", url + "dated", b"x", headers={"x-amz-date": date})
            assert status == 403 and b"<Code>" + code + b"</Code>" in body, (date, status, body)
        status, body = raw2("PUT", url + "within", b"x", headers={"x-amz-date": email.utils.formatdate(time.time() - 10 * 60, usegmt=True)})
        assert status == 200, (status, body)
        for k in ("badsig", "unknown", "garbage", "forged", "dated"):
            assert not stored("v2bad/" + k), k
        assert stored("v2bad/ok") and stored("v2bad/within")
        """, "SigV2 refusals");

    [Fact]
    public async Task S3cmd_with_signature_v2_puts_lists_gets_and_deletes()
    {
        var file = await Clients.MakeFileAsync("s3cmd-v2.bin", 54_321, 11);
        AssertOk(await Clients.S3cmdV2Async("put", file, $"s3://{Bucket}/v2dir/s3cmd v2.bin"), "s3cmd (V2) put");
        var ls = await Clients.S3cmdV2Async("ls", $"s3://{Bucket}/v2dir/");
        AssertOk(ls, "s3cmd (V2) ls");
        Assert.Contains($"s3://{Bucket}/v2dir/s3cmd v2.bin", ls.Stdout);
        var got = Path.Combine(Clients.WorkDirectory, "s3cmd-v2-got.bin");
        AssertOk(await Clients.S3cmdV2Async("get", "--force", $"s3://{Bucket}/v2dir/s3cmd v2.bin", got), "s3cmd (V2) get");
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(got));
        var (status, body) = await FacadeGetAsync(Bucket, "v2dir/s3cmd v2.bin");
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        Assert.Equal(File.ReadAllBytes(file), body);
        AssertOk(await Clients.S3cmdV2Async("del", $"s3://{Bucket}/v2dir/s3cmd v2.bin"), "s3cmd (V2) del");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await FacadeGetAsync(Bucket, "v2dir/s3cmd v2.bin")).Status);
    }
}
