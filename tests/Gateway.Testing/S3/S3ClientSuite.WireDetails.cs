using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// What S3 puts on the wire around an answer and what its SigV4 reads of a request, as clients see them: the
/// <c>x-amz-id-2</c> header and the error document's <c>HostId</c>, white space in a signed header value, and the
/// presigned <c>X-Amz-Expires</c> refusals worded as S3 words them.
/// </summary>
public abstract partial class S3ClientSuite
{
    [Fact]
    public Task Boto3_every_answer_carries_x_amz_id_2_and_an_error_names_it_as_host_id() => RunBotoAsync("""
        import re
        s3.put_object(Bucket=BUCKET, Key="wire/ids", Body=b"i")
        for meta in (s3.head_object(Bucket=BUCKET, Key="wire/ids")["ResponseMetadata"], s3.list_objects_v2(Bucket=BUCKET)["ResponseMetadata"]):
            headers = meta["HTTPHeaders"]
            assert headers.get("x-amz-id-2") and meta.get("HostId") == headers["x-amz-id-2"], meta
            assert headers.get("x-amz-request-id") and headers.get("date"), headers
        try:
            s3.get_object(Bucket=BUCKET, Key="wire/missing")
            raise AssertionError("a missing key was read")
        except botocore.exceptions.ClientError as e:
            assert e.response["Error"]["Code"] == "NoSuchKey" and e.response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-id-2"), e.response
        # A HEAD error has no body, but the header; a refused anonymous GET names the same id in the document's HostId.
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="wire/missing")) == ("404", 404)
        status, answer = curl("-i", f"{ENDPOINT}/{BUCKET}/wire/ids")
        text = answer.decode()
        header = re.search(r"(?im)^x-amz-id-2: *(\S+)", text)
        body = re.search(r"<HostId>([^<]+)</HostId>", text)
        assert status == 403 and header and body and header.group(1) == body.group(1), text
        assert text.index("</RequestId>") < text.index("<HostId>"), text
        """, "x-amz-id-2");

    [Fact]
    public Task Boto3_a_signed_header_holding_a_tab_verifies_as_the_sdk_signed_it() => RunBotoAsync("""
        s3.put_object(Bucket=BUCKET, Key="wire/tab", Body=b"tab")
        etag = s3.head_object(Bucket=BUCKET, Key="wire/tab")["ETag"]
        url = f"{ENDPOINT}/{BUCKET}/wire/tab"
        # botocore (and the Java SDK) sign a header value with its runs of white space, tabs included, as one space.
        status, body = raw("GET", url, headers={"If-None-Match": '"0123",\t"4567"'})
        assert status == 200 and body == b"tab", (status, body)
        status, body = raw("GET", url, headers={"If-None-Match": '"0123", \t ' + etag})
        assert status == 304, (status, body)
        status, body = raw("GET", url, headers={"If-Match": '"0123"\t\t, "4567"'})
        assert status == 412 and b"<Code>PreconditionFailed</Code>" in body, (status, body)
        """, "tab in a signed header");

    [Fact]
    public Task A_presigned_lifetime_that_is_negative_or_past_a_week_is_refused_in_s3s_words() => RunBotoAsync("""
        s3.put_object(Bucket=BUCKET, Key="wire/presigned", Body=b"p")
        url = presign("GET", f"{ENDPOINT}/{BUCKET}/wire/presigned", 60, datetime.datetime.utcnow())
        assert curl(url) == (200, b"p")
        # The lifetime is judged before the signature, as S3 does: each is AuthorizationQueryParametersError 400.
        for lifetime, words in (("-60", b"X-Amz-Expires must be non-negative"), ("-", b"X-Amz-Expires should be a number"),
                                ("6O", b"X-Amz-Expires should be a number"),
                                ("604801", b"X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds")):
            status, body = curl(url.replace("X-Amz-Expires=60", "X-Amz-Expires=" + lifetime))
            assert status == 400 and b"<Code>AuthorizationQueryParametersError</Code>" in body and words in body, (lifetime, status, body)
        """, "presigned lifetimes");

    [Fact]
    public Task Boto3_metadata_holding_a_tab_or_nothing_reads_back_as_written() => RunBotoAsync("""
        meta = {"tabbed": "a\tb", "spaced": "a \t  b", "empty": "", "plain": "p"}
        s3.put_object(Bucket=BUCKET, Key="wire/meta", Body=b"m", Metadata=meta)
        for got in (s3.head_object(Bucket=BUCKET, Key="wire/meta"), s3.get_object(Bucket=BUCKET, Key="wire/meta")):
            assert got["Metadata"] == meta, got["Metadata"]
        s3.copy_object(Bucket=BUCKET, Key="wire/meta-copy", CopySource={"Bucket": BUCKET, "Key": "wire/meta"})
        assert s3.head_object(Bucket=BUCKET, Key="wire/meta-copy")["Metadata"] == meta
        """, "metadata with a tab");
}
