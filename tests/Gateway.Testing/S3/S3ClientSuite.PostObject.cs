using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// POST Object, the browser form upload, driven by python3-requests as browsers and the ceph/s3-tests post_object
/// tests send it (every field a form-data part, the file last), with SigV2- and SigV4-signed policies.
/// </summary>
public abstract partial class S3ClientSuite
{
    private const string PostPrelude = """
        import json, base64, hmac, hashlib, requests
        KEY, SECRET = os.environ["KEY_ID"], os.environ["SECRET"]
        URL = f"{ENDPOINT}/{BUCKET}"
        def stored(key):
            try:
                return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            except botocore.exceptions.ClientError as e:
                assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 404, e.response
                return None
        def policy_of(conditions, expires=datetime.timedelta(minutes=100), raw=None):
            doc = raw if raw is not None else {"expiration": (datetime.datetime.now(datetime.timezone.utc) + expires).strftime("%Y-%m-%dT%H:%M:%SZ"), "conditions": conditions}
            return base64.b64encode(json.dumps(doc).encode()).decode()
        def v2sig(policy, secret=SECRET):
            return base64.b64encode(hmac.new(secret.encode(), policy.encode(), hashlib.sha1).digest()).decode()
        STD = lambda prefix="foo": [{"bucket": BUCKET}, ["starts-with", "$key", prefix], {"acl": "private"}, ["starts-with", "$Content-Type", "text/plain"], ["content-length-range", 0, 1024]]
        def post(fields, file="bar", **kw):
            # requests' files= sends every field as a part with a filename, as the s3-tests do
            parts = list(fields.items()) + ([("file", file)] if file is not None else [])
            return requests.post(URL, files=parts, allow_redirects=False, **kw)
        def form(key="foo.txt", conditions=None, policy=None, extra=None, sig=None, keyid=KEY):
            p = policy if policy is not None else policy_of(conditions if conditions is not None else STD())
            f = {"key": key, "AWSAccessKeyId": keyid, "acl": "private", "signature": sig if sig is not None else v2sig(p), "policy": p, "Content-Type": "text/plain"}
            f.update(extra or {})
            return {k: v for k, v in f.items() if v is not None}
        def error(r):
            import re
            m = re.search(rb"<Code>(.*?)</Code>", r.content)
            return r.status_code, (m.group(1).decode() if m else None)
        """;

    [Fact]
    public Task Post_object_form_uploads_store_the_file_with_the_policy_fields() => RunBotoAsync(PostPrelude + "\n" + """
        r = post(form())
        assert r.status_code == 204 and r.content == b"", (r.status_code, r.content)
        assert stored("foo.txt") == b"bar"
        h = s3.head_object(Bucket=BUCKET, Key="foo.txt"); assert h["ContentType"] == "text/plain", h
        r = post(form(key="${filename}"), file=("foo-name.txt", "named"))
        assert r.status_code == 204, r.content; assert stored("foo-name.txt") == b"named"
        r = post(form(extra={"x-ignore-foo": "bar"}))
        assert r.status_code == 204, r.content
        r = post({"kEy": "foo-case.txt", "AWSAccessKeyId": KEY, "aCl": "private", "signature": None, "pOLICy": None, "Content-Type": "text/plain"} | (lambda p: {"signature": v2sig(p), "pOLICy": p})(policy_of([{"bUcKeT": BUCKET}, ["StArTs-WiTh", "$KeY", "foo"], {"AcL": "private"}, ["StArTs-WiTh", "$CoNtEnT-TyPe", "text/plain"], ["content-length-range", 0, 1024]])))
        assert r.status_code == 204, r.content; assert stored("foo-case.txt") == b"bar"
        r = post(form(key="foo\\$bar.txt", conditions=STD("foo\\$")))
        if os.environ["BACKSLASH_KEYS"] == "1":
            assert r.status_code == 204, r.content; assert stored("foo\\$bar.txt") == b"bar"
        else:  # Azure reads a backslash as '/': refused, never stored as the other key foo/$bar.txt
            assert r.status_code == 400 and b"<Code>InvalidArgument</Code>" in r.content, r.content; assert stored("foo/$bar.txt") is None
        r = post(form(conditions=STD() + [["starts-with", "$x-amz-meta-foo", "bar"]], extra={"x-amz-meta-foo": "barclamp"}))
        assert r.status_code == 204, r.content; assert s3.head_object(Bucket=BUCKET, Key="foo.txt")["Metadata"]["foo"] == "barclamp"
        r = post(form(key="foo-201.txt", conditions=STD() + [{"success_action_status": "201"}], extra={"success_action_status": "201"}))
        assert r.status_code == 201 and b"<Key>foo-201.txt</Key>" in r.content and b"<Bucket>" + BUCKET.encode() + b"</Bucket>" in r.content, r.content
        r = post(form(key="foo-200.txt", conditions=STD() + [{"success_action_status": "200"}], extra={"success_action_status": "200"}))
        assert r.status_code == 200 and r.content == b"", r.content
        r = post(form(key="foo-404.txt", conditions=STD() + [{"success_action_status": "404"}], extra={"success_action_status": "404"}))
        assert r.status_code == 204, r.content
        redirect = "http://example.invalid/done"
        r = post(form(key="foo-redir.txt", conditions=STD() + [["eq", "$success_action_redirect", redirect]], extra={"success_action_redirect": redirect}))
        etag = s3.head_object(Bucket=BUCKET, Key="foo-redir.txt")["ETag"].strip('"')
        assert r.status_code == 303 and r.headers["Location"] == f"{redirect}?bucket={BUCKET}&key=foo-redir.txt&etag=%22{etag}%22", (r.status_code, r.headers)
        big = os.urandom(5 * 1024 * 1024 + 17)
        r = post(form(key="foo-big.bin", conditions=STD()[:-1] + [["content-length-range", 0, 6 * 1024 * 1024]]), file=("b", big))
        assert r.status_code == 204, r.content; assert stored("foo-big.bin") == big
        r = post(form(key="foo-notype.txt", conditions=[{"bucket": BUCKET}, ["starts-with", "$key", "foo"], {"acl": "private"}], extra={"Content-Type": None}))
        assert r.status_code == 204, r.content; assert s3.head_object(Bucket=BUCKET, Key="foo-notype.txt")["ContentType"] == "binary/octet-stream"
        # SigV4-signed policy
        now = datetime.datetime.now(datetime.timezone.utc); d = now.strftime("%Y%m%d"); amz = now.strftime("%Y%m%dT%H%M%SZ")
        cred = f"{KEY}/{d}/{REGION}/s3/aws4_request"
        p4 = policy_of([{"bucket": BUCKET}, ["starts-with", "$key", "v4/"], {"x-amz-algorithm": "AWS4-HMAC-SHA256"}, {"x-amz-credential": cred}, {"x-amz-date": amz}])
        def k(key, msg): return hmac.new(key, msg.encode(), hashlib.sha256).digest()
        skey = k(k(k(k(("AWS4" + SECRET).encode(), d), REGION), "s3"), "aws4_request")
        f4 = {"key": "v4/obj", "x-amz-algorithm": "AWS4-HMAC-SHA256", "x-amz-credential": cred, "x-amz-date": amz, "policy": p4, "x-amz-signature": hmac.new(skey, p4.encode(), hashlib.sha256).hexdigest()}
        r = post(f4)
        assert r.status_code == 204, r.content; assert stored("v4/obj") == b"bar"
        r = post(f4 | {"key": "v4/bad", "x-amz-signature": "0" * 64})
        assert error(r) == (403, "SignatureDoesNotMatch"), r.content
        """, "POST Object uploads");

    [Fact]
    public Task Post_object_refusals_are_s3_errors_that_store_nothing() => RunBotoAsync(PostPrelude + "\n" + """
        # refusals: each stores nothing
        cases = [
            ("foo-badkey.txt", dict(keyid="foo"), (403, "InvalidAccessKeyId")),
            ("foo-badsig.txt", dict(sig=v2sig(policy_of(STD()))[::-1]), (403, "SignatureDoesNotMatch")),
            ("foo-wrongsecret.txt", dict(sig=v2sig(policy_of(STD()), "wrong-secret-wrong-secret")), (403, "SignatureDoesNotMatch")),
            ("foo-nosig.txt", dict(sig=None, extra={"signature": None}), (400, "InvalidArgument")),
            ("foo-nokeyid.txt", dict(keyid=None), (400, "InvalidArgument")),
            ("foo-expired.txt", dict(policy=policy_of(STD(), expires=datetime.timedelta(minutes=-100))), (403, "AccessDenied")),
            ("foo-datefmt.txt", dict(policy=policy_of(None, raw={"expiration": str(datetime.datetime.now() + datetime.timedelta(hours=1)), "conditions": STD()})), (400, "InvalidPolicyDocument")),
            ("foo-nobucket.txt", dict(conditions=STD()[1:]), (403, "AccessDenied")),
            ("foo-missingfield.txt", dict(conditions=STD() + [["starts-with", "$x-amz-meta-foo", "bar"]]), (403, "AccessDenied")),
            ("foo-fieldvalue.txt", dict(conditions=STD() + [["eq", "$x-amz-meta-foo", ""]], extra={"x-amz-meta-foo": "barclamp"}), (403, "AccessDenied")),
            ("foo-extra.txt", dict(extra={"x-amz-meta-extra": "not in the policy"}), (403, "AccessDenied")),
            ("foo-CONDITIONS.txt", dict(policy=policy_of(None, raw={"expiration": "2099-01-01T00:00:00Z", "CONDITIONS": STD()})), (400, "InvalidPolicyDocument")),
            ("foo-EXPIRATION.txt", dict(policy=policy_of(None, raw={"EXPIRATION": "2099-01-01T00:00:00Z", "conditions": STD()})), (400, "InvalidPolicyDocument")),
            ("foo-noexp.txt", dict(policy=policy_of(None, raw={"conditions": STD()})), (400, "InvalidPolicyDocument")),
            ("foo-nocond.txt", dict(policy=policy_of(None, raw={"expiration": "2099-01-01T00:00:00Z"})), (400, "InvalidPolicyDocument")),
            ("foo-emptycond.txt", dict(conditions=[{}]), (400, "InvalidPolicyDocument")),
            ("foo-toolarge.txt", dict(conditions=STD()[:-1] + [["content-length-range", 0, 0]]), (400, "EntityTooLarge")),
            ("foo-toosmall.txt", dict(conditions=STD()[:-1] + [["content-length-range", 512, 1000]]), (400, "EntityTooSmall")),
            ("foo-rangearg.txt", dict(conditions=STD()[:-1] + [["content-length-range", 0]]), (400, "InvalidPolicyDocument")),
            ("foo-rangeneg.txt", dict(conditions=STD()[:-1] + [["content-length-range", -1, 0]]), (400, "InvalidPolicyDocument")),
            ("foo-badb64.txt", dict(policy="!!!notbase64", sig=v2sig("!!!notbase64")), (400, "InvalidPolicyDocument")),
            # found by fuzzing (bench/Fuzz, postpolicy): a string that is not UTF-8, or an escaped lone surrogate, was a 500
            ("foo-notutf8.txt", dict(policy=base64.b64encode(b'{"expiration": "2099-01-01T00:00:00Z", "conditions": [{"bucket": "\xff"}]}').decode()), (400, "InvalidPolicyDocument")),
            ("foo-surrogate.txt", dict(policy=base64.b64encode(b'{"expiration": "2099-01-01T00:00:00Z", "conditions": [{"bucket": "\\udc00"}]}').decode()), (400, "InvalidPolicyDocument")),
            ("bar-prefix.txt", dict(), (403, "AccessDenied")),
        ]
        for key, kw, expected in cases:
            r = post(form(key=key, **kw))
            assert error(r) == expected, (key, r.status_code, r.content)
            assert SECRET.encode() not in r.content
            assert stored(key) is None, key
        # a file part the body ends inside (no closing boundary): S3's malformed-form answer (checked when fuzzing postform flagged it)
        f = form(key="foo-truncated.txt")
        body = b"".join(b'--B\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (k.encode(), v.encode()) for k, v in f.items())
        r = requests.post(URL, data=body + b'--B\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\nbar, and no end', headers={"Content-Type": "multipart/form-data; boundary=B"})
        assert error(r) == (400, "MalformedPOSTRequest"), (r.status_code, r.content)
        assert stored("foo-truncated.txt") is None
        r = post({"key": "foo-anon.txt", "Content-Type": "text/plain"})
        assert error(r) == (403, "AccessDenied"), r.content
        r = post(form(key=None))
        assert error(r) == (400, "InvalidArgument"), r.content
        r = post(form(key="foo-nofile.txt"), file=None)
        assert error(r) == (400, "InvalidArgument"), r.content
        assert stored("foo-nofile.txt") is None and stored("foo-anon.txt") is None
        # wrong bucket: a policy for this bucket posted to another
        other = BUCKET + "-other"
        s3.create_bucket(Bucket=other)
        r = requests.post(f"{ENDPOINT}/{other}", files=list(form(key="foo-wrongbucket.txt").items()) + [("file", "bar")])
        assert error(r) == (403, "AccessDenied"), r.content
        assert "Contents" not in s3.list_objects_v2(Bucket=other)
        # an ACL granting more than the gateway's grants is refused, not dropped (S3's answer on a bucket without ACLs)
        r = post(form(key="foo-acl.txt", conditions=STD()[:2] + [{"acl": "public-read"}] + STD()[3:], extra={"acl": "public-read"}))
        assert error(r) == (400, "AccessControlListNotSupported"), r.content
        assert stored("foo-acl.txt") is None
        """, "POST Object refusals");

    [Fact]
    public Task Post_object_malformed_or_oversized_forms_store_nothing() => RunBotoAsync(PostPrelude + "\n" + """
        # malformed multipart: a truncated body stores nothing
        import http.client, urllib.parse
        u = urllib.parse.urlparse(URL)
        fields = form(key="foo-trunc.txt")
        boundary = "XyZbOuNdArY"
        body = b"".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode() for k, v in fields.items())
        body += f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t\"\r\n\r\nbar-without-end".encode()
        conn = http.client.HTTPConnection(u.hostname, u.port)
        conn.request("POST", u.path, body=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        resp = conn.getresponse(); data = resp.read()
        assert resp.status == 400 and b"<Code>MalformedPOSTRequest</Code>" in data, (resp.status, data)
        assert stored("foo-trunc.txt") is None
        conn = http.client.HTTPConnection(u.hostname, u.port)
        conn.request("POST", u.path, body=b"garbage", headers={"Content-Type": "multipart/form-data"})
        resp = conn.getresponse(); data = resp.read()
        assert resp.status == 400 and b"<Code>MalformedPOSTRequest</Code>" in data, (resp.status, data)
        # oversized fields before the file
        r = post(form(key="foo-huge.txt", extra={"x-ignore-pad": "p" * (70 * 1024)}))
        assert error(r) == (400, "MaxPostPreDataLengthExceededError"), r.content
        """, "POST Object malformed forms");

    [Fact]
    public async Task Post_object_uploads_are_witnessed_and_audited_like_puts()
    {
        var policy = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            expiration = DateTime.UtcNow.AddMinutes(10).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            conditions = new object[] { new Dictionary<string, string> { ["bucket"] = Bucket }, new[] { "eq", "$key", "form/witnessed.txt" } },
        })));
        var signature = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(Door.Secret), Encoding.ASCII.GetBytes(policy)));
        using var form = new MultipartFormDataContent
        {
            { new StringContent("form/witnessed.txt"), "key" },
            { new StringContent(Door.AccessKeyId), "AWSAccessKeyId" },
            { new StringContent(policy), "policy" },
            { new StringContent(signature), "signature" },
            { new ByteArrayContent("posted by a browser form"u8.ToArray()), "file", "witnessed.txt" },
        };
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{Door.EndpointText}/{Bucket}", form);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
        var (status, stored) = await FacadeGetAsync(Bucket, "form/witnessed.txt");
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        Assert.Equal("posted by a browser form", Encoding.UTF8.GetString(stored));
        var requestId = response.Headers.GetValues("x-amz-request-id").Single();
        using var witnesses = await Door.Server.Client.GetAsync($"v1/witnesses/{requestId}");
        Assert.Equal(System.Net.HttpStatusCode.OK, witnesses.StatusCode);
        using var doc = JsonDocument.Parse(await witnesses.Content.ReadAsStringAsync());
        var operations = doc.RootElement.GetProperty("witnesses").EnumerateArray().Select(w => w.GetProperty("operation").GetString()).ToList();
        Assert.Contains("object-storage.put-object", operations);
    }
}
