using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// What a signature covers is what the front door acts on: regressions of the security review of SigV2, POST Object and
/// the response overrides (each failed before its fix). Every refusal is S3's XML error, never a 500, and stores nothing.
/// </summary>
public abstract partial class S3ClientSuite
{
    private const string SignedScopePrelude = """
        import http.client, urllib.parse, uuid
        PORT = int(os.environ["PORT"])
        def send(method, target, body=b"", headers=None, host=None):
            c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            c.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            for k, v in {"Host": host or f"127.0.0.1:{PORT}", **(headers or {})}.items(): c.putheader(k, v)
            c.putheader("Content-Length", str(len(body)))
            c.endheaders()
            if body: c.send(body)
            r = c.getresponse(); data = r.read(); c.close()
            return r.status, data, {k.lower(): v for k, v in r.getheaders()}
        def sig2(sts, secret=os.environ["SECRET"]):
            return base64.b64encode(hmac.new(secret.encode(), sts.encode(), hashlib.sha1).digest()).decode()
        def presign2(method, resource, expires):
            signature = urllib.parse.quote(sig2("%s\n\n\n%s\n%s" % (method, expires, resource)), safe="")
            return f"AWSAccessKeyId={os.environ['KEY_ID']}&Expires={expires}&Signature={signature}"
        def header2(method, target, resource, host=None):
            date = email.utils.formatdate(usegmt=True)
            auth = "AWS %s:%s" % (os.environ["KEY_ID"], sig2("%s\n\n\n%s\n%s" % (method, date, resource)))
            return send(method, target, headers={"Date": date, "Authorization": auth}, host=host)
        def code(answer):
            import re
            m = re.search(rb"<Code>(.*?)</Code>", answer[1])
            return answer[0], m.group(1).decode() if m else None
        """;

    [Fact]
    public Task Signature_v2_query_names_in_another_case_are_refused_not_acted_on_unsigned() =>
        RunBotoAsync(V2Prelude + "\n" + SignedScopePrelude + "\n" + """
        s3.put_object(Bucket=BUCKET, Key="case/obj.txt", Body=b"<script>x</script>", ContentType="text/plain")
        up = s3.create_multipart_upload(Bucket=BUCKET, Key="case/obj.txt")["UploadId"]
        exp = int(time.time()) + 300
        get = presign2("GET", f"/{BUCKET}/case/obj.txt", exp)
        put = presign2("PUT", f"/{BUCKET}/case/obj.txt", exp)
        assert send("GET", f"/{BUCKET}/case/obj.txt?{get}")[0] == 200
        # SigV2 signs sub-resources by their exact names; these are not signed, so they must not be acted on either.
        for extra in ["Response-Content-Type=text/html", "ACL", f"UploadId={up}", "VersionId=null", "response-CONTENT-type=text/html"]:
            answer = send("GET", f"/{BUCKET}/case/obj.txt?{get}&{extra}")
            assert code(answer) == (400, "InvalidArgument"), (extra, answer)
        # A presigned PUT of one object turned into an upload of a part into someone's multipart upload: refused.
        answer = send("PUT", f"/{BUCKET}/case/obj.txt?{put}&UploadId={up}&PartNumber=1", b"injected part")
        assert code(answer) == (400, "InvalidArgument"), answer
        assert "Parts" not in s3.list_parts(Bucket=BUCKET, Key="case/obj.txt", UploadId=up)
        assert s3.get_object(Bucket=BUCKET, Key="case/obj.txt")["Body"].read() == b"<script>x</script>"
        s3.abort_multipart_upload(Bucket=BUCKET, Key="case/obj.txt", UploadId=up)
        """, "SigV2 case-variant sub-resources");

    [Fact]
    public Task Signature_v2_signs_the_resource_the_request_is_routed_to() => RunBotoAsync(V2Prelude + "\n" + SignedScopePrelude + "\n" + """
        s3.put_object(Bucket=BUCKET, Key="routed.txt", Body=b"routed")
        vhost = f"{BUCKET}.{os.environ['BASE_DOMAIN']}:{PORT}"
        assert header2("GET", "/routed.txt", f"/{BUCKET}/routed.txt", host=vhost)[:2] == (200, b"routed")
        # "/bucket//routed.txt" names the key "/routed.txt"; on a virtual host "//routed.txt" must not reach "routed.txt".
        answer = header2("GET", "//routed.txt", f"/{BUCKET}//routed.txt", host=vhost)
        assert answer[0] == 400 and b"routed" != answer[1], answer
        assert code(header2("GET", f"//{BUCKET}/routed.txt", f"//{BUCKET}/routed.txt")) == (400, "InvalidBucketName")
        # The bucket of a virtual host is routed lower-case: a signature over another case is not the routed resource.
        upper = f"{BUCKET.upper()}.{os.environ['BASE_DOMAIN']}:{PORT}"
        assert code(header2("GET", "/routed.txt", f"/{BUCKET.upper()}/routed.txt", host=upper)) == (403, "SignatureDoesNotMatch")
        """, "SigV2 routed resource");

    [Fact]
    public Task Delete_objects_needs_a_body_bound_to_the_signature() => RunBotoAsync(V2Prelude + "\n" + SignedScopePrelude + "\n" + """
        s3.put_object(Bucket=BUCKET, Key="bound/a", Body=b"a")
        body = b"<Delete><Object><Key>bound/a</Key></Object></Delete>"
        def delete2(md5=""):
            date = email.utils.formatdate(usegmt=True)
            auth = "AWS %s:%s" % (os.environ["KEY_ID"], sig2("POST\n%s\n\n%s\n/%s/?delete" % (md5, date, BUCKET)))
            return send("POST", f"/{BUCKET}?delete", body, {"Date": date, "Authorization": auth, **({"Content-MD5": md5} if md5 else {})})
        # SigV2 does not sign the body: without Content-MD5 a replay could carry any key list.
        assert code(delete2()) == (400, "InvalidRequest")
        assert stored("bound/a")
        answer = delete2(base64.b64encode(hashlib.md5(body).digest()).decode())
        assert answer[0] == 200 and b"<Deleted><Key>bound/a</Key>" in answer[1], answer
        assert not stored("bound/a")
        """, "DeleteObjects body binding");

    [Fact]
    public Task Signature_v2_presigned_urls_are_valid_for_at_most_a_week() => RunBotoAsync(V2Prelude + "\n" + SignedScopePrelude + "\n" + """
        s3.put_object(Bucket=BUCKET, Key="week.txt", Body=b"weekly body")
        res = f"/{BUCKET}/week.txt"
        assert send("GET", f"{res}?{presign2('GET', res, int(time.time()) + 6 * 86400)}")[:2] == (200, b"weekly body")
        for expires in [int(time.time()) + 8 * 86400, 253402300799]:
            answer = send("GET", f"{res}?{presign2('GET', res, expires)}")
            assert code(answer) == (403, "AccessDenied") and b"weekly body" not in answer[1], (expires, answer)
        """, "SigV2 presigned lifetime");

    [Fact]
    public Task Response_overrides_outside_printable_ascii_are_invalid_argument_not_500() => RunBotoAsync(V2Prelude + "\n" + SignedScopePrelude + "\n" + """
        s3.put_object(Bucket=BUCKET, Key="override.txt", Body=b"o")
        for params in [{"ResponseContentType": "t\u00e9xt/plain"}, {"ResponseContentDisposition": "attachment; filename=\"\u00e9\""}]:
            url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "override.txt", **params}, ExpiresIn=300)
            assert code(send("GET", url[len(ENDPOINT):])) == (400, "InvalidArgument"), params
            assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="override.txt", **params)) == ("InvalidArgument", 400), params
        """, "non-ASCII response overrides");

    [Fact]
    public Task Post_object_fields_that_cannot_be_served_back_are_refused_before_anything_is_stored() =>
        RunBotoAsync(PostPrelude + "\n" + SignedScopePrelude + "\n" + """
        open_policy = lambda *more: STD() + [["starts-with", "$success_action_redirect", ""], ["starts-with", "$x-ignore-n", ""]] + list(more)
        # A redirect no Location header can hold: refused, not stored and then a 500.
        for n, redirect in enumerate(["http://example.test/a\r\nSet-Cookie: x=y", "http://example.test/a\x01b"]):
            r = post(form(key=f"foo-red{n}.txt", conditions=open_policy(), extra={"success_action_redirect": redirect}))
            assert error(r) == (400, "InvalidArgument"), (redirect, r.status_code, r.content)
            assert stored(f"foo-red{n}.txt") is None
        # Non-ASCII is sent percent-encoded.
        r = post(form(key="foo-redok.txt", conditions=open_policy(), extra={"success_action_redirect": "http://example.test/\u00e9 x"}))
        assert r.status_code == 303 and r.headers["Location"].startswith("http://example.test/%C3%A9%20x?bucket="), (r.status_code, r.headers)
        # A Content-Type outside printable ASCII would make every later GET of the object a 500.
        r = post(form(key="foo-ct.txt", extra={"Content-Type": "text/plain; charset=\"\u00e9\""}))
        assert error(r) == (400, "InvalidArgument"), (r.status_code, r.content)
        assert stored("foo-ct.txt") is None
        # ${filename} may not make a key the front door cannot address (a C1 control is InvalidURI there).
        r = post(form(key="foo/${filename}", conditions=STD("foo/")), file=("a\u0085b", "c1"))
        assert error(r) == (400, "InvalidArgument"), (r.status_code, r.content)
        assert [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="foo/").get("Contents", [])] == []
        # content-length-range bounds that are not JSON numbers: digits in strings are taken, anything else is a bad policy, not a 500.
        r = post(form(key="foo-clr.txt", conditions=STD()[:-1] + [["content-length-range", "0", "10"]]))
        assert r.status_code == 204 and stored("foo-clr.txt") == b"bar", (r.status_code, r.content)
        for bounds in [[True, None], ["a", "10"], [{}, []]]:
            r = post(form(key="foo-clrbad.txt", conditions=STD()[:-1] + [["content-length-range", *bounds]]))
            assert error(r) == (400, "InvalidPolicyDocument"), (bounds, r.status_code, r.content)
        assert stored("foo-clrbad.txt") is None
        """, "POST Object fields served back");
}
