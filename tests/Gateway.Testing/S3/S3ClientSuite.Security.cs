using Xunit;

namespace Gateway.Testing.S3;

public abstract partial class S3ClientSuite
{
    [Fact]
    public Task Hostile_keys_round_trip_and_climbing_keys_are_refused() => RunBotoAsync("""
        keys = ["sp ace", "plus+sign", "per%25cent%", "q?mark", "hash#tag", "amp&eq=", "ünïcødé/日本語", "tilde~", "semi;colon",
                "star*", "quote'\"", "(paren)[bracket]{brace}", "comma,at@dollar$", "back`tick", "caret^pipe|", "lt<gt>",
                "trailing space ", "dots.../...x", "-leading-dash", "emoji😀"]
        for k in keys:
            s3.put_object(Bucket=BUCKET, Key="h/" + k, Body=k.encode())
            assert s3.get_object(Bucket=BUCKET, Key="h/" + k)["Body"].read() == k.encode(), k
        listed = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="h/")["Contents"]]
        assert sorted(listed) == sorted("h/" + k for k in keys), listed
        import urllib.parse
        # Asked for explicitly, encoding-type=url reaches the caller still encoded (boto3 decodes only what it asked for itself).
        encoded = s3.list_objects_v2(Bucket=BUCKET, Prefix="h/", EncodingType="url")["Contents"]
        assert any("%" in o["Key"] for o in encoded), "keys came back unencoded"
        assert sorted(urllib.parse.unquote(o["Key"]) for o in encoded) == sorted("h/" + k for k in keys), "encoding-type=url round trip"
        c = s3.copy_object(Bucket=BUCKET, Key="h/copy of q?mark", CopySource={"Bucket": BUCKET, "Key": "h/q?mark"})
        assert s3.get_object(Bucket=BUCKET, Key="h/copy of q?mark")["Body"].read() == b"q?mark"
        for bad in ["../escape", "h/../../escape", "h/./x", "ctl\x01char"]:
            code = error_of(lambda: s3.put_object(Bucket=BUCKET, Key=bad, Body=b"x"))
            assert code == ("InvalidArgument", 400), (bad, code)
        assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key=".s3-uploads/forged/part-00001", Body=b"x")) == ("InvalidArgument", 400)
        """, "hostile keys");

    [Fact]
    public Task Bad_signatures_expired_urls_wrong_regions_and_skewed_clocks_are_clean_errors_that_store_nothing() => RunBotoAsync("""
        url = ENDPOINT + "/" + BUCKET + "/sec/"
        status, body = raw("PUT", url + "badsig", b"payload", secret="wrong-secret-wrong-secret")
        assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body, (status, body)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="sec/badsig"))[1] == 404
        status, body = raw("PUT", url + "unknown", b"payload", key="AKUNKNOWNKEY0000")
        assert status == 403 and b"<Code>InvalidAccessKeyId</Code>" in body, (status, body)
        status, body = raw("PUT", url + "region", b"payload", region="eu-west-1")
        assert status == 400 and b"<Code>AuthorizationHeaderMalformed</Code>" in body and b"<Region>" + REGION.encode() + b"</Region>" in body, (status, body)
        skewed = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
        status, body = raw("PUT", url + "skew", b"payload", at=skewed)
        assert status == 403 and b"<Code>RequestTimeTooSkewed</Code>" in body, (status, body)
        within = datetime.datetime.utcnow() - datetime.timedelta(minutes=10)
        status, body = raw("PUT", url + "within", b"payload", at=within)
        assert status == 200, (status, body)
        # The body must be the one signed: a signed SHA-256 of other bytes stores nothing.
        status, body = raw("PUT", url + "sha", b"payload", signed_body=b"payloaX")
        assert status == 400 and b"<Code>XAmzContentSHA256Mismatch</Code>" in body, (status, body)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="sec/sha"))[1] == 404
        for k in ("badsig", "unknown", "region", "skew"):
            assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="sec/" + k))[1] == 404, k
        # An expired presigned URL: signed two hours ago for one minute. A fresh one works.
        status, body = curl("-X", "PUT", "--data-binary", "fresh", presign("PUT", url + "fresh", 60, datetime.datetime.utcnow()))
        assert status == 200, (status, body)
        expired = presign("PUT", url + "expired", 60, datetime.datetime.utcnow() - datetime.timedelta(hours=2))
        assert "X-Amz-Expires=60" in expired, expired
        # A lifetime past a week is refused as S3 words it, however many digits it has.
        for lifetime in (604801, 99999999999):
            status, body = curl(presign("GET", url + "fresh", lifetime, datetime.datetime.utcnow()))
            assert status == 400 and b"<Code>AuthorizationQueryParametersError</Code>" in body and b"less than a week" in body, (lifetime, status, body)
        status, body = curl("-X", "PUT", "--data-binary", "late", expired)
        assert status == 403 and b"<Code>AccessDenied</Code>" in body and b"expired" in body, (status, body)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="sec/expired"))[1] == 404
        status, body = curl(ENDPOINT + "/" + BUCKET + "/sec/within")
        assert status == 403 and b"<Code>AccessDenied</Code>" in body, (status, body)
        """, "signature failures");

    [Fact]
    public Task Headers_added_after_signing_are_refused_and_change_nothing() => RunBotoAsync("""
        url = ENDPOINT + "/" + BUCKET + "/unsigned/"
        s3.put_object(Bucket=BUCKET, Key="unsigned/secret", Body=b"secret bytes")
        put = presign("PUT", url + "target", 300, datetime.datetime.utcnow())
        # The holder of a presigned PUT adds a copy source the signer never signed: S3 refuses it, and so does the front door.
        status, body = curl("-X", "PUT", "-H", "x-amz-copy-source: " + BUCKET + "/unsigned/secret", "--data-binary", "", put)
        assert status == 403 and b"<Code>AccessDenied</Code>" in body, (status, body)
        assert b"<HeadersNotSigned>x-amz-copy-source</HeadersNotSigned>" in body, body
        status, body = curl("-X", "PUT", "-H", "X-Amz-Meta-Note: added", "-H", "x-amz-tagging: a=b", "--data-binary", "body", put)
        assert status == 403 and b"<HeadersNotSigned>x-amz-meta-note, x-amz-tagging</HeadersNotSigned>" in body, (status, body)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="unsigned/target"))[1] == 404
        # A header-signed request with a header added after signing.
        req = botocore.awsrequest.AWSRequest(method="PUT", url=url + "target", data=b"signed body")
        signer(botocore.auth.S3SigV4Auth, os.environ["KEY_ID"], os.environ["SECRET"], REGION).add_auth(req)
        prepared = req.prepare()
        headers = dict(prepared.headers)
        headers["x-amz-metadata-directive"] = "REPLACE"
        try:
            with urllib.request.urlopen(urllib.request.Request(prepared.url, data=b"signed body", method="PUT", headers=headers)) as resp:
                status, body = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read()
        assert status == 403 and b"<HeadersNotSigned>x-amz-metadata-directive</HeadersNotSigned>" in body, (status, body)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="unsigned/target"))[1] == 404
        # The same URL as signed works; an unsigned x-amz-content-sha256 only names the payload hash the signature covers.
        status, body = curl("-X", "PUT", "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", "--data-binary", "as signed", put)
        assert status == 200, (status, body)
        assert s3.get_object(Bucket=BUCKET, Key="unsigned/target")["Body"].read() == b"as signed"
        assert s3.get_object(Bucket=BUCKET, Key="unsigned/secret")["Body"].read() == b"secret bytes"
        """, "unsigned headers");

    [Fact]
    public async Task The_front_door_answers_under_the_main_listeners_path_base_and_by_virtual_host()
    {
        var file = await Clients.MakeFileAsync("pathbase.bin", 4096, 11);
        var pathBase = Door.Server.BaseAddress.ToString().TrimEnd('/') + "/s3";
        AssertOk(await Clients.AwsAtAsync(pathBase, "s3", "cp", file, $"s3://{Bucket}/pb/file.bin", "--only-show-errors"), "cp via path base");
        var ls = await Clients.AwsAtAsync(pathBase, "s3", "ls", $"s3://{Bucket}/pb/");
        AssertOk(ls, "ls via path base");
        Assert.Contains("file.bin", ls.Stdout);
        Assert.Equal(File.ReadAllBytes(file), (await FacadeGetAsync(Bucket, "pb/file.bin")).Body);
        await RunBotoAsync("""
            host = BUCKET + "." + os.environ["BASE_DOMAIN"]
            url = presign("GET", "http://%s:%s/pb/file.bin" % (host, os.environ["PORT"]), 300, datetime.datetime.utcnow())
            status, body = curl("--resolve", "%s:%s:127.0.0.1" % (host, os.environ["PORT"]), url)
            assert status == 200 and len(body) == 4096, (status, len(body))
            """, "virtual-host GET");
    }

    [Fact]
    public async Task A_key_scoped_to_reading_one_bucket_can_do_only_that()
    {
        var readable = await CreateBucketAsync(S3FrontDoor.ReadOnlyBucket);
        await RunBotoAsync($$"""
            s3.put_object(Bucket="{{readable}}", Key="r/file", Body=b"readable")
            reader = client(key=os.environ["READER_KEY_ID"], secret=os.environ["READER_SECRET"])
            assert reader.get_object(Bucket="{{readable}}", Key="r/file")["Body"].read() == b"readable"
            assert [o["Key"] for o in reader.list_objects_v2(Bucket="{{readable}}", Prefix="r/")["Contents"]] == ["r/file"]
            assert error_of(lambda: reader.put_object(Bucket="{{readable}}", Key="r/new", Body=b"x")) == ("AccessDenied", 403)
            denied = error_of(lambda: reader.delete_object(Bucket="{{readable}}", Key="r/file"))
            assert denied == ("AccessDenied", 403), denied
            assert error_of(lambda: reader.get_object(Bucket=BUCKET, Key="anything")) == ("AccessDenied", 403)
            assert error_of(lambda: reader.create_bucket(Bucket="s3t-not-allowed")) == ("AccessDenied", 403)
            r = reader.delete_objects(Bucket="{{readable}}", Delete={"Objects": [{"Key": "r/file"}]})
            assert [e["Code"] for e in r["Errors"]] == ["AccessDenied"], r
            assert s3.get_object(Bucket="{{readable}}", Key="r/file")["Body"].read() == b"readable"
            assert error_of(lambda: s3.head_object(Bucket="{{readable}}", Key="r/new"))[1] == 404
            # Its ACL says what its grants give it: READ, where the admin key's says FULL_CONTROL.
            assert [g["Permission"] for g in reader.get_object_acl(Bucket="{{readable}}", Key="r/file")["Grants"]] == ["READ"]
            assert [g["Permission"] for g in s3.get_object_acl(Bucket="{{readable}}", Key="r/file")["Grants"]] == ["FULL_CONTROL"]
            """, "read-only key");
    }
}
