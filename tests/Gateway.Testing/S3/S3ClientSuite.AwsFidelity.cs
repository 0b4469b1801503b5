using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// Answers the hostile-input walk left differing from S3's (docs/s3.md, "Hostile-input walk"), each now S3's: a tag without
/// a <c>Value</c>, an empty <c>encoding-type</c>, an ETag in a write's <c>If-None-Match</c>, and a query holding a byte that
/// is no UTF-8 or a <c>+</c> in the signature check. Each refused request changes nothing.
/// </summary>
public abstract partial class S3ClientSuite
{
    /// <summary>S3's schema requires a Tag's Value (botocore's Tag shape, RGW's decoder): without one it is MalformedXML, not an empty value.</summary>
    [Fact]
    public Task Boto3_a_tag_without_a_value_is_malformed_and_changes_nothing() => RunBotoAsync("""
        s3.put_object(Bucket=BUCKET, Key="fid/tagged", Body=b"t", Tagging="kept=1")
        url = f"{ENDPOINT}/{BUCKET}/fid/tagged?tagging"
        for doc in (b"<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>",
                    b"<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>k</Key></Tag></TagSet></Tagging>",
                    b"<Tagging><TagSet><Tag><Key>k</Key><Value>1</Value><Value>2</Value></Tag></TagSet></Tagging>"):
            answer = raw("PUT", url, doc)
            assert code(*answer) == (400, "MalformedXML"), (doc, answer)
        assert s3.get_object_tagging(Bucket=BUCKET, Key="fid/tagged")["TagSet"] == [{"Key": "kept", "Value": "1"}]
        # An empty value is written <Value/> (or <Value></Value>), and kept as empty.
        status, answer = raw("PUT", url, b"<Tagging><TagSet><Tag><Key>k</Key><Value/></Tag></TagSet></Tagging>")
        assert status == 200, (status, answer)
        assert s3.get_object_tagging(Bucket=BUCKET, Key="fid/tagged")["TagSet"] == [{"Key": "k", "Value": ""}]
        """, "tag without a value");

    /// <summary>An empty encoding-type is S3's InvalidArgument on every listing, not read as absent.</summary>
    [Fact]
    public Task Boto3_an_empty_encoding_type_is_refused_on_every_listing() => RunBotoAsync("""
        s3.put_object(Bucket=BUCKET, Key="fid/listed", Body=b"l")
        base = f"{ENDPOINT}/{BUCKET}"
        for query in ("list-type=2&encoding-type=", "encoding-type=", "versions&encoding-type=", "uploads&encoding-type="):
            status, body = raw("GET", f"{base}?{query}")
            assert code(status, body) == (400, "InvalidArgument"), (query, status, body)
            assert field(body, "ArgumentName") == "encoding-type", (query, body)
            assert b"<Message>Invalid Encoding Method specified in Request</Message>" in body, (query, body)
        status, body = raw("GET", f"{base}?list-type=2&prefix=fid%2F&encoding-type=url")
        assert status == 200 and b"<Key>fid/listed</Key>" in body and b"<EncodingType>url</EncodingType>" in body, (status, body)
        """, "empty encoding-type");

    /// <summary>
    /// S3 takes only <c>*</c> in a write's If-None-Match (PutObject, CopyObject, CompleteMultipartUpload): an ETag there is
    /// 501 NotImplemented naming the header, whether or not it names the current object, and nothing is written.
    /// </summary>
    [Fact]
    public Task Boto3_an_etag_in_a_writes_if_none_match_is_not_implemented_and_changes_nothing() => RunBotoAsync("""
        etag = s3.put_object(Bucket=BUCKET, Key="fid/cond", Body=b"original")["ETag"]
        s3.put_object(Bucket=BUCKET, Key="fid/src", Body=b"source")
        url = f"{ENDPOINT}/{BUCKET}/fid/cond"
        def not_implemented(answer):
            status, body = answer
            return (code(status, body) == (501, "NotImplemented") and field(body, "Header") == "If-None-Match"
                    and b"We don't accept the provided value of If-None-Match header for this API" in body)
        for value in (etag, etag.strip('"'), '"ABCORZ"', f'{etag}, "ABCORZ"'):
            assert not_implemented(raw("PUT", url, b"replaced", headers={"If-None-Match": value})), value
            assert not_implemented(raw("PUT", url, headers={"If-None-Match": value, "x-amz-copy-source": f"/{BUCKET}/fid/src"})), value
            assert not_implemented(raw("PUT", f"{ENDPOINT}/{BUCKET}/fid/new", b"new", headers={"If-None-Match": value})), value
        up = s3.create_multipart_upload(Bucket=BUCKET, Key="fid/cond")["UploadId"]
        part = s3.upload_part(Bucket=BUCKET, Key="fid/cond", UploadId=up, PartNumber=1, Body=b"part")["ETag"]
        manifest = f"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{part}</ETag></Part></CompleteMultipartUpload>".encode()
        assert not_implemented(raw("POST", f"{url}?uploadId={up}", manifest, headers={"If-None-Match": '"ABCORZ"'}))
        got = s3.get_object(Bucket=BUCKET, Key="fid/cond")
        assert (got["Body"].read(), got["ETag"]) == (b"original", etag), got
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="fid/new"))[1] == 404
        s3.abort_multipart_upload(Bucket=BUCKET, Key="fid/cond", UploadId=up)
        """, "If-None-Match with an ETag on a write");

    /// <summary>
    /// A write takes one condition, and If-Match only with ETags (AWS, as LocalStack's snapshots record it): If-Match and
    /// If-None-Match together, and <c>If-Match: *</c>, are 501 NotImplemented naming the header (CompleteMultipartUpload
    /// names If-None-Match for <c>*</c>, as AWS does), on an existing key and a missing one, and nothing is written. Until
    /// session 35 <c>*</c> matched any existing object and both headers were applied.
    /// </summary>
    [Fact]
    public Task Boto3_a_star_in_a_writes_if_match_or_two_conditions_are_not_implemented_and_change_nothing() => RunBotoAsync("""
        etag = s3.put_object(Bucket=BUCKET, Key="fid/one", Body=b"original")["ETag"]
        s3.put_object(Bucket=BUCKET, Key="fid/src1", Body=b"source")
        url = f"{ENDPOINT}/{BUCKET}/fid/one"
        def not_implemented(answer, header, message):
            status, body = answer
            return code(status, body) == (501, "NotImplemented") and field(body, "Header") == header and field(body, "additionalMessage") == message
        star = ("If-Match", "We don't accept the provided value of If-Match header for this API")
        both = ("If-Match,If-None-Match", "Multiple conditional request headers present in the request")
        for target in (url, f"{ENDPOINT}/{BUCKET}/fid/none"):
            for headers, expected in (({"If-Match": "*"}, star), ({"If-Match": etag, "If-None-Match": "*"}, both)):
                assert not_implemented(raw("PUT", target, b"replaced", headers=headers), *expected), (target, headers)
                assert not_implemented(raw("PUT", target, headers={**headers, "x-amz-copy-source": f"/{BUCKET}/fid/src1"}), *expected), (target, headers)
        up = s3.create_multipart_upload(Bucket=BUCKET, Key="fid/one")["UploadId"]
        part = s3.upload_part(Bucket=BUCKET, Key="fid/one", UploadId=up, PartNumber=1, Body=b"part")["ETag"]
        manifest = f"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{part}</ETag></Part></CompleteMultipartUpload>".encode()
        assert not_implemented(raw("POST", f"{url}?uploadId={up}", manifest, headers={"If-Match": "*"}),
                               "If-None-Match", "We don't accept the provided value of If-None-Match header for this API")
        assert not_implemented(raw("POST", f"{url}?uploadId={up}", manifest, headers={"If-Match": etag, "If-None-Match": "*"}), *both)
        got = s3.get_object(Bucket=BUCKET, Key="fid/one")
        assert (got["Body"].read(), got["ETag"]) == (b"original", etag), got
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="fid/none"))[1] == 404
        # The upload is still open: the refused completions wrote nothing, and one without conditions completes it.
        done = s3.complete_multipart_upload(Bucket=BUCKET, Key="fid/one", UploadId=up, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part}]})
        assert s3.get_object(Bucket=BUCKET, Key="fid/one")["Body"].read() == b"part", done
        """, "If-Match * or two conditions on a write");

    /// <summary>
    /// The signature's canonical query decodes each name and value to bytes and encodes them again: <c>%FF</c> (no UTF-8)
    /// signs as <c>%FF</c>, as botocore signs it (it was SignatureDoesNotMatch), and a literal <c>+</c> is a space, signed
    /// <c>%20</c>, as S3 reads it: a URL signed over <c>%20</c> and sent with <c>+</c> (URLSearchParams does so) is taken
    /// (it was SignatureDoesNotMatch), and a signature over a literal <c>+</c> is not.
    /// </summary>
    [Fact]
    public Task Boto3_a_query_with_a_non_utf8_byte_or_a_plus_is_signed_as_s3_reads_it() => RunBotoAsync("""
        s3.put_object(Bucket=BUCKET, Key="fid/a b", Body=b"space")
        s3.put_object(Bucket=BUCKET, Key="fid/a+b", Body=b"plus")
        base = f"{ENDPOINT}/{BUCKET}"
        status, body = raw("GET", f"{base}?list-type=2&prefix=fid%2F%FF")
        assert status == 200 and b"<KeyCount>0</KeyCount>" in body, (status, body)
        status, body = raw("GET", f"{base}?list-type=2&prefix=fid%2Fa%2B")
        assert status == 200 and b"<Key>fid/a+b</Key>" in body and b"<Key>fid/a b</Key>" not in body, (status, body)

        def signed_then_sent(signed_url, sent_url):
            req = botocore.awsrequest.AWSRequest(method="GET", url=signed_url)
            signer(botocore.auth.S3SigV4Auth, os.environ["KEY_ID"], os.environ["SECRET"], REGION).add_auth(req)
            r = urllib.request.Request(sent_url, method="GET", headers=dict(req.prepare().headers))
            try:
                with urllib.request.urlopen(r) as resp: return resp.status, resp.read()
            except urllib.error.HTTPError as e:
                return e.code, e.read()
        signed = f"{base}?list-type=2&prefix=fid%2Fa%20"
        status, body = signed_then_sent(signed, signed.replace("%20", "+"))
        assert status == 200 and b"<Key>fid/a b</Key>" in body and b"<Key>fid/a+b</Key>" not in body, (status, body)
        plus = f"{base}?list-type=2&prefix=fid%2Fa+"
        assert code(*signed_then_sent(plus, plus)) == (403, "SignatureDoesNotMatch")
        """, "query bytes in the signature");
}
