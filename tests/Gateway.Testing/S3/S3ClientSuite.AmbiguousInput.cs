using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// Input that could be read more than one way is refused with <c>InvalidArgument</c> and changes nothing: a query parameter
/// given twice (until this change its values were joined, <c>prefix=a&amp;prefix=b</c> listing under <c>a,b</c>), a
/// conditional header sent empty (it was taken as absent, so an empty <c>If-Match</c> overwrote the object) and <c>*</c>
/// listed among ETags. A lone <c>*</c> keeps its meaning.
/// </summary>
public abstract partial class S3ClientSuite
{
    private const string AmbiguousPrelude = """
        import re
        def refused(answer, name):
            status, body = answer
            return code(status, body) == (400, "InvalidArgument") and field(body, "ArgumentName") == name
        """;

    [Fact]
    public Task Boto3_a_query_parameter_given_twice_is_refused_and_changes_nothing() => RunBotoAsync(AmbiguousPrelude + "\n" + """
        s3.put_object(Bucket=BUCKET, Key="rq/a", Body=b"a")
        s3.put_object(Bucket=BUCKET, Key="rq/b", Body=b"b")
        base = f"{ENDPOINT}/{BUCKET}"
        for query, name in (("list-type=2&list-type=2", "list-type"), ("prefix=rq/a&prefix=rq/b", "prefix"),
                            ("list-type=2&prefix=rq/a&prefix=rq/b", "prefix"), ("max-keys=1&max-keys=2", "max-keys"),
                            ("uploads&uploads", "uploads")):
            answer = raw("GET", f"{base}?{query}")
            assert refused(answer, name), (query, answer)
        # Given once, each is taken as before.
        status, body = raw("GET", f"{base}?list-type=2&prefix=rq%2Fa")
        assert status == 200 and b"<Key>rq/a</Key>" in body and b"<Key>rq/b</Key>" not in body, (status, body)

        up = s3.create_multipart_upload(Bucket=BUCKET, Key="rq/mp")["UploadId"]
        assert refused(raw("PUT", f"{base}/rq/mp?partNumber=1&uploadId={up}&uploadId={up}", b"part"), "uploadId")
        assert refused(raw("PUT", f"{base}/rq/mp?partNumber=1&partNumber=2&uploadId={up}", b"part"), "partNumber")
        assert s3.list_parts(Bucket=BUCKET, Key="rq/mp", UploadId=up).get("Parts", []) == []
        assert refused(raw("DELETE", f"{base}/rq/mp?uploadId={up}&uploadId=other"), "uploadId")
        uploads = s3.list_multipart_uploads(Bucket=BUCKET, Prefix="rq/mp").get("Uploads", [])
        assert [u["UploadId"] for u in uploads] == [up], uploads
        s3.abort_multipart_upload(Bucket=BUCKET, Key="rq/mp", UploadId=up)

        assert refused(raw("PUT", f"{base}/rq/new?x-id=PutObject&x-id=PutObject", b"new"), "x-id")
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="rq/new"))[1] == 404
        assert refused(raw("DELETE", f"{base}/rq/a?x-id=DeleteObject&x-id=DeleteObject"), "x-id")
        assert s3.get_object(Bucket=BUCKET, Key="rq/a")["Body"].read() == b"a"
        """, "query parameter given twice");

    [Fact]
    public Task Boto3_an_empty_conditional_header_or_a_listed_star_is_refused_and_changes_nothing() => RunBotoAsync(AmbiguousPrelude + "\n" + """
        etag = s3.put_object(Bucket=BUCKET, Key="amb/obj", Body=b"original")["ETag"]
        s3.put_object(Bucket=BUCKET, Key="amb/src", Body=b"source")
        url, source = f"{ENDPOINT}/{BUCKET}/amb/obj", f"/{BUCKET}/amb/src"
        cases = [("If-Match", ""), ("If-None-Match", ""), ("If-Modified-Since", ""), ("If-Unmodified-Since", ""),
                 ("If-Match", f"{etag}, *"), ("If-None-Match", f"*, {etag}"), ("If-Match", " , ")]
        for name, value in cases:
            for method, body, extra in (("PUT", b"replaced", {}), ("DELETE", b"", {}), ("PUT", b"", {"x-amz-copy-source": source}),
                                        ("GET", b"", {})):
                answer = raw(method, url, body, headers={name: value, **extra})
                assert refused(answer, name), (method, extra, name, value, answer)
            status, _ = raw("HEAD", url, headers={name: value})
            assert status == 400, (name, value, status)
            # The copy source's own conditions, onto a new key: nothing is written.
            answer = raw("PUT", f"{ENDPOINT}/{BUCKET}/amb/copy", headers={"x-amz-copy-source": source, "x-amz-copy-source-" + name.lower(): value})
            assert refused(answer, "x-amz-copy-source-" + name.lower()), (name, value, answer)
        got = s3.get_object(Bucket=BUCKET, Key="amb/obj")
        assert (got["Body"].read(), got["ETag"]) == (b"original", etag), got
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="amb/copy"))[1] == 404

        # A lone * keeps its meaning: If-None-Match: * is create-only (a write's If-Match: * is S3's NotImplemented, AwsFidelity).
        status, answer = raw("PUT", url, b"replaced", headers={"If-None-Match": "*"})
        assert code(status, answer) == (412, "PreconditionFailed"), (status, answer)
        status, answer = raw("PUT", f"{ENDPOINT}/{BUCKET}/amb/created", b"created", headers={"If-None-Match": "*"})
        assert status == 200, (status, answer)
        assert s3.get_object(Bucket=BUCKET, Key="amb/created")["Body"].read() == b"created"
        """, "empty conditional headers and a listed *");
    /// <summary>
    /// S3's query parameter names are case-sensitive: <c>Prefix</c> is no parameter S3 has, and is ignored as S3 ignores one.
    /// Until this change the front door matched names ignoring case: <c>?Prefix=b</c> listed under <c>b</c>, and
    /// <c>?prefix=a&amp;Prefix=b</c> was refused as a parameter given twice.
    /// </summary>
    [Fact]
    public Task Boto3_query_parameter_names_are_case_sensitive() => RunBotoAsync(AmbiguousPrelude + "\n" + """
        for k in ("cs/a/1", "cs/b/1", "cs/b/2"):
            s3.put_object(Bucket=BUCKET, Key=k, Body=b"x")
        base = f"{ENDPOINT}/{BUCKET}"
        def keys(body): return re.findall(rb"<Key>(.*?)</Key>", body)
        status, body = raw("GET", f"{base}?list-type=2&prefix=cs%2Fa%2F&Prefix=cs%2Fb%2F")
        assert status == 200 and keys(body) == [b"cs/a/1"], (status, body)
        status, body = raw("GET", f"{base}?list-type=2&Prefix=cs%2Fb%2F&MAX-KEYS=1")
        assert status == 200 and keys(body) == [b"cs/a/1", b"cs/b/1", b"cs/b/2"], (status, body)
        status, body = raw("GET", f"{base}?LIST-TYPE=2&prefix=cs%2Fb%2F")
        assert status == 200 and b"<KeyCount>" not in body and keys(body) == [b"cs/b/1", b"cs/b/2"], (status, body)
        # The exact names still count once each: given twice is refused.
        assert refused(raw("GET", f"{base}?prefix=cs%2Fa%2F&Prefix=x&prefix=cs%2Fb%2F"), "prefix")
        """, "case-sensitive query names");

    /// <summary>
    /// A date condition sent on two header lines reaches S3 as one value joined by a comma (RFC 9110 §5.3), which is no
    /// HTTP date: ignored, as S3 ignores a date it cannot parse (RFC 9110 §13.1.3). The front door already answered so.
    /// </summary>
    [Fact]
    public Task A_date_condition_on_two_header_lines_is_ignored() => RunBotoAsync(AmbiguousPrelude + "\n" + """
        s3.put_object(Bucket=BUCKET, Key="dates/obj", Body=b"dated")
        params = {"Bucket": BUCKET, "Key": "dates/obj"}
        url = s3.generate_presigned_url("get_object", Params=params, ExpiresIn=300)
        head = s3.generate_presigned_url("head_object", Params=params, ExpiresIn=300)
        later = s3.head_object(**params)["ResponseMetadata"]["HTTPHeaders"]["last-modified"]
        past = "Sat, 01 Jan 2000 00:00:00 GMT"
        # Each alone holds (304, 412) ...
        assert curl("-H", f"If-Modified-Since: {later}", url)[0] == 304
        assert curl("-H", f"If-Unmodified-Since: {past}", url)[0] == 412
        # ... on two lines neither does: the object is served.
        for name, value in (("If-Modified-Since", later), ("If-Unmodified-Since", past)):
            status, body = curl("-H", f"{name}: {value}", "-H", f"{name}: {value}", url)
            assert status == 200 and body == b"dated", (name, status, body)
            status, _ = curl("-I", "-H", f"{name}: {value}", "-H", f"{name}: {value}", head)
            assert status == 200, (name, status)
        """, "date conditions on two lines");
}
