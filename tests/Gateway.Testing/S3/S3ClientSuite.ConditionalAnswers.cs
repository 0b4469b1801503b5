using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// What the header-only answers of a read carry: a 304 the ETag and Last-Modified a 200 would (S3 sends both, and caches
/// revalidate with them) and the object's Cache-Control and Expires (RFC 9110 15.4.5: a cache refreshes its freshness from
/// them), a 416 S3's ActualObjectSize and RFC 9110's <c>Content-Range: bytes */size</c>.
/// </summary>
public abstract partial class S3ClientSuite
{
    [Fact]
    public Task Boto3_not_modified_and_unsatisfiable_answers_carry_their_headers() => RunBotoAsync(ChecksumPrelude + "\n" + """
        body = b"0123456789abcdefghij"
        put = s3.put_object(Bucket=BUCKET, Key="ca/obj", Body=body)
        url = f"{ENDPOINT}/{BUCKET}/ca/obj"
        status, _, whole = send("GET", url)
        assert status == 200, status
        etag, modified = whole["etag"], whole["last-modified"]
        assert etag == put["ETag"], (etag, put)
        for method in ("GET", "HEAD"):
            for condition in ({"If-None-Match": etag}, {"If-Modified-Since": modified}, {"If-None-Match": "*"}):
                status, answer, answered = send(method, url, headers=condition)
                assert status == 304 and answer == b"", (method, condition, status, answer)
                assert (answered.get("etag"), answered.get("last-modified")) == (etag, modified), (method, condition, answered)
                assert answered.get("x-amz-request-id"), answered
        plain = answered
        # A date later than S3's clock is no date to S3: the object is sent.
        for method in ("GET", "HEAD"):
            status, _, answered = send(method, url, headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"})
            assert status == 200 and answered.get("etag") == etag, (method, status, answered)
        assert "cache-control" not in plain and "expires" not in plain, plain

        cached_url = f"{ENDPOINT}/{BUCKET}/ca/cached"
        s3.put_object(Bucket=BUCKET, Key="ca/cached", Body=body, CacheControl="max-age=60, public",
                      Expires=datetime.datetime(2100, 1, 1, tzinfo=datetime.timezone.utc))
        status, _, whole = send("GET", cached_url)
        # s3rver reorders the directives ("public, max-age=60"), so the 304 is compared with the store's own 200.
        assert status == 200 and sorted(whole.get("cache-control", "").split(", ")) == ["max-age=60", "public"], whole
        for method in ("GET", "HEAD"):
            status, answer, answered = send(method, cached_url, headers={"If-None-Match": whole["etag"]})
            assert status == 304 and answer == b"", (method, status, answer)
            assert answered.get("cache-control") == whole["cache-control"], (method, answered, whole)
            assert answered.get("expires") == whole["expires"], (method, answered, whole)

        # A 412 is an error with S3's document on GET and none on HEAD, as before.
        status, answer, _ = send("GET", url, headers={"If-Match": '"0000"'})
        assert code(status, answer) == (412, "PreconditionFailed"), answer

        for method in ("GET", "HEAD"):
            status, answer, answered = send(method, url, headers={"Range": "bytes=25-30"})
            assert status == 416 and answered.get("content-range") == "bytes */20", (method, status, answered)
            if method == "GET":
                assert code(status, answer) == (416, "InvalidRange") and field(answer, "ActualObjectSize") == "20", answer
            else:
                assert answer == b"" and answered.get("x-amz-error-code") == "InvalidRange", (answer, answered)
        """, "304 and 416 headers");

    /// <summary>
    /// The conditions are judged before the range (RFC 9110 §13.2.2), as S3 and this door's HEAD do: a GET whose condition
    /// fails answers 304 or 412 even when its range is unsatisfiable. Until this session the GET answered 416 there.
    /// </summary>
    [Fact]
    public Task Boto3_a_failed_condition_wins_over_an_unsatisfiable_range() => RunBotoAsync("""
        etag = s3.put_object(Bucket=BUCKET, Key="cr/obj", Body=b"0123456789")["ETag"]
        modified = s3.head_object(Bucket=BUCKET, Key="cr/obj")["LastModified"]
        past = modified - datetime.timedelta(days=1)
        cases = [
            ({"IfNoneMatch": etag}, ("304", 304)),
            ({"IfModifiedSince": modified}, ("304", 304)),
            ({"IfMatch": '"0000"'}, ("PreconditionFailed", 412)),
            ({"IfUnmodifiedSince": past}, ("PreconditionFailed", 412)),
            ({"IfMatch": etag}, ("InvalidRange", 416)),
        ]
        for condition, expected in cases:
            got = error_of(lambda: s3.get_object(Bucket=BUCKET, Key="cr/obj", Range="bytes=20-30", **condition))
            assert got == expected, ("GET", condition, got)
            head = error_of(lambda: s3.head_object(Bucket=BUCKET, Key="cr/obj", Range="bytes=20-30", **condition))
            assert head[1] == expected[1], ("HEAD", condition, head)
        """, "conditions before the range");
}
