using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// The elements S3 adds to an error document about what the request named, as botocore hands them to a caller
/// (<c>e.response['Error']['Key']</c>, <c>['BucketName']</c>, <c>['UploadId']</c>, <c>['Condition']</c>, <c>['Resource']</c>):
/// hostile names come back exactly, in a document that stays well-formed and names no credential.
/// </summary>
public abstract partial class S3ClientSuite
{
    private const string ErrorFieldsPrelude = """
        import urllib.parse, xml.etree.ElementTree as ET
        def error(call):
            try:
                call()
            except botocore.exceptions.ClientError as e:
                return e.response["Error"]
            raise AssertionError("expected an error")
        HOSTILE = ["err/ünï \"quoted\" 'single' <lt> & amp ]]> 😀", "err/" + "é" * 500, "err/a&amp;b<c>d"]
        """;

    [Fact]
    public Task Boto3_a_no_such_key_error_names_the_key_and_resource_of_a_hostile_key() => RunBotoAsync(ErrorFieldsPrelude + """

        for key in HOSTILE:
            e = error(lambda: s3.get_object(Bucket=BUCKET, Key=key))
            assert e["Code"] == "NoSuchKey" and e.get("Key") == key, (key, e)
            assert e.get("Resource") == f"/{BUCKET}/{key}", (key, e)
        # The raw document is well-formed XML with the key escaped, and echoes no credential or signature.
        status, body = raw("GET", f"{ENDPOINT}/{BUCKET}/" + urllib.parse.quote(HOSTILE[0]))
        root = ET.fromstring(body)
        assert status == 404 and root.findtext("Key") == HOSTILE[0] and root.findtext("Code") == "NoSuchKey", (status, body)
        assert b"&lt;lt&gt; &amp; amp ]]&gt;" in body, body
        assert os.environ["SECRET"].encode() not in body and b"Signature" not in body and b"Credential" not in body, body
        # A key S3 refuses (a control character) still answers a document a client can parse.
        status, body = raw("GET", f"{ENDPOINT}/{BUCKET}/err/ctl%01char")
        assert status == 400 and ET.fromstring(body).findtext("Code") == "InvalidArgument", (status, body)
        """, "NoSuchKey Key");

    [Fact]
    public Task Boto3_bucket_and_upload_errors_name_the_bucket_and_the_upload_id() => RunBotoAsync(ErrorFieldsPrelude + """

        s3.put_object(Bucket=BUCKET, Key=HOSTILE[0], Body=b"x")
        e = error(lambda: s3.delete_bucket(Bucket=BUCKET))
        assert e["Code"] == "BucketNotEmpty" and e.get("BucketName") == BUCKET and e.get("Resource") == f"/{BUCKET}", e
        if os.environ["MISSING_BUCKETS_VISIBLE"] == "1":
            e = error(lambda: s3.get_object(Bucket=BUCKET + "-missing", Key=HOSTILE[0]))
            assert e["Code"] == "NoSuchBucket" and e.get("BucketName") == BUCKET + "-missing" and "Key" not in e, e
        for upload in ["nope", "0" * 32, "bad'<&>\"id"]:
            e = error(lambda: s3.abort_multipart_upload(Bucket=BUCKET, Key=HOSTILE[0], UploadId=upload))
            assert e["Code"] == "NoSuchUpload" and e.get("UploadId") == upload, (upload, e)
            e = error(lambda: s3.list_parts(Bucket=BUCKET, Key=HOSTILE[1], UploadId=upload))
            assert e["Code"] == "NoSuchUpload" and e.get("UploadId") == upload and e.get("Resource") == f"/{BUCKET}/{HOSTILE[1]}", (upload, e)
        # An upload id with characters XML 1.0 cannot hold is left out rather than making the document one no client parses.
        status, body = raw("DELETE", f"{ENDPOINT}/{BUCKET}/err/x?uploadId=ctl%01id%EF%BF%BF")
        root = ET.fromstring(body)
        assert status == 404 and root.findtext("Code") == "NoSuchUpload" and root.find("UploadId") is None, (status, body)
        assert root.findtext("Resource") == f"/{BUCKET}/err/x", body
        """, "BucketName and UploadId");

    [Fact]
    public Task Boto3_a_precondition_failure_names_the_condition_that_failed() => RunBotoAsync(ErrorFieldsPrelude + """

        key = HOSTILE[0]
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
        past = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
        cases = [
            ("If-Match", lambda: s3.get_object(Bucket=BUCKET, Key=key, IfMatch='"0123"')),
            ("If-Match", lambda: s3.get_object(Bucket=BUCKET, Key=key, IfMatch='"0123"', IfUnmodifiedSince=past)),
            ("If-Unmodified-Since", lambda: s3.get_object(Bucket=BUCKET, Key=key, IfUnmodifiedSince=past)),
            ("x-amz-copy-source-If-Match", lambda: s3.copy_object(Bucket=BUCKET, Key="err/copy", CopySource={"Bucket": BUCKET, "Key": key}, CopySourceIfMatch='"0123"')),
        ]
        for condition, call in cases:
            e = error(call)
            assert e["Code"] == "PreconditionFailed" and e.get("Condition") == condition, (condition, e)
            assert e.get("Resource", "").startswith(f"/{BUCKET}/err/"), (condition, e)
        # botocore of this age has no conditional PutObject: the conditional writes go raw.
        url = f"{ENDPOINT}/{BUCKET}/" + urllib.parse.quote(key)
        for condition, value in (("If-None-Match", "*"), ("If-Match", '"0123"')):
            status, body = raw("PUT", url, b"y", headers={condition: value})
            root = ET.fromstring(body)
            assert status == 412 and root.findtext("Code") == "PreconditionFailed" and root.findtext("Condition") == condition, (condition, body)
            assert root.findtext("Resource") == f"/{BUCKET}/{key}", body
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"x"
        """, "PreconditionFailed Condition");

    [Fact]
    public Task Boto3_a_method_not_allowed_names_the_method_and_the_resource_type() => RunBotoAsync(ErrorFieldsPrelude + """

        for url, kind in ((f"{ENDPOINT}/{BUCKET}/err/x?tagging", "OBJECT"), (f"{ENDPOINT}/", "SERVICE")):
            status, body = raw("PATCH", url)
            root = ET.fromstring(body)
            assert status == 405 and root.findtext("Code") == "MethodNotAllowed", (url, status, body)
            assert root.findtext("Method") == "PATCH" and root.findtext("ResourceType") == kind, (url, body)
        """, "MethodNotAllowed Method");

    [Fact]
    public Task Boto3_an_invalid_argument_names_the_argument_and_its_value() => RunBotoAsync(ErrorFieldsPrelude + """

        key = HOSTILE[0]
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
        url = f"{ENDPOINT}/{BUCKET}/" + urllib.parse.quote(key)
        copy = {"x-amz-copy-source": f"/{BUCKET}/" + urllib.parse.quote(key)}
        cases = [
            ("max-keys", "<&>'\"", lambda: raw("GET", f"{ENDPOINT}/{BUCKET}?list-type=2&max-keys=" + urllib.parse.quote("<&>'\""))),
            ("encoding-type", "base64", lambda: raw("GET", f"{ENDPOINT}/{BUCKET}?encoding-type=base64")),
            ("partNumber", "0", lambda: raw("GET", url + "?partNumber=0")),
            ("x-amz-metadata-directive", "MOVE", lambda: raw("PUT", f"{ENDPOINT}/{BUCKET}/err/copy", headers={**copy, "x-amz-metadata-directive": "MOVE"})),
            ("x-amz-tagging-directive", "KEEP", lambda: raw("PUT", f"{ENDPOINT}/{BUCKET}/err/copy", headers={**copy, "x-amz-tagging-directive": "KEEP"})),
            ("x-amz-acl", "everyone-writes", lambda: raw("PUT", f"{ENDPOINT}/{BUCKET}/err/acl", b"x", headers={"x-amz-acl": "everyone-writes"})),
        ]
        for name, value, call in cases:
            status, body = call()
            root = ET.fromstring(body)
            assert status == 400 and root.findtext("Code") == "InvalidArgument", (name, status, body)
            assert root.findtext("ArgumentName") == name and root.findtext("ArgumentValue") == value, (name, body)
        e = error(lambda: s3.list_objects(Bucket=BUCKET, EncodingType="base64"))
        assert e["Code"] == "InvalidArgument" and e.get("ArgumentName") == "encoding-type" and e.get("ArgumentValue") == "base64", e
        assert [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]] == [key]
        """, "InvalidArgument ArgumentName");
    /// <summary>
    /// A request refused before its bucket and key were found (an empty bucket in the path, a reserved or over-long key)
    /// names the path it asked for as <c>Resource</c>, as S3 does; until this change it was <c>/</c>.
    /// </summary>
    [Fact]
    public Task Boto3_an_addressing_refusal_names_the_requested_path_as_resource() => RunBotoAsync(ErrorFieldsPrelude + """

        long = "r/" + "k" * 1100
        for path, expected_code, resource in (("//x", "InvalidBucketName", "//x"),
                                              (f"/{BUCKET}/.s3-uploads/x", "InvalidArgument", f"/{BUCKET}/.s3-uploads/x"),
                                              (f"/{BUCKET}/{long}", "KeyTooLongError", f"/{BUCKET}/{long}"),
                                              (f"/{BUCKET}/r/%C3%A9%20x", "NoSuchKey", f"/{BUCKET}/r/é x")):
            status, body = raw("GET", ENDPOINT + path)
            root = ET.fromstring(body)
            assert root.findtext("Code") == expected_code and root.findtext("Resource") == resource, (path, status, body)
        e = error(lambda: s3.put_object(Bucket=BUCKET, Key=long, Body=b"x"))
        assert e["Code"] == "KeyTooLongError" and e.get("Resource") == f"/{BUCKET}/{long}", e
        """, "addressing refusal Resource");

    /// <summary>
    /// InvalidArgument names the argument refused and its value wherever S3 names one: paging and marker parameters of
    /// every listing, a version id, a part number, the copy source and its range, server-side encryption, object attributes.
    /// </summary>
    [Fact]
    public Task Boto3_every_invalid_argument_names_its_argument_and_value() => RunBotoAsync(ErrorFieldsPrelude + """

        s3.put_object(Bucket=BUCKET, Key="ia/obj", Body=b"0123456789")
        up = s3.create_multipart_upload(Bucket=BUCKET, Key="ia/mp")["UploadId"]
        obj, mp, base = f"{ENDPOINT}/{BUCKET}/ia/obj", f"{ENDPOINT}/{BUCKET}/ia/mp", f"{ENDPOINT}/{BUCKET}"
        copy = {"x-amz-copy-source": f"/{BUCKET}/ia/obj"}
        cases = [
            ("partNumber", "0", lambda: raw("PUT", f"{mp}?partNumber=0&uploadId={up}", b"x")),
            ("partNumber", "x", lambda: raw("PUT", f"{mp}?partNumber=x&uploadId={up}", b"x")),
            ("max-parts", "-1", lambda: raw("GET", f"{mp}?uploadId={up}&max-parts=-1")),
            ("max-uploads", "abc", lambda: raw("GET", f"{base}?uploads&max-uploads=abc")),
            ("encoding-type", "base64", lambda: raw("GET", f"{base}?uploads&encoding-type=base64")),
            ("continuation-token", "!!", lambda: raw("GET", f"{base}?list-type=2&continuation-token=%21%21")),
            ("versionId", "bogus", lambda: raw("GET", f"{obj}?versionId=bogus")),
            ("version-id-marker", "null", lambda: raw("GET", f"{base}?versions&version-id-marker=null")),
            ("version-id-marker", "bogus", lambda: raw("GET", f"{base}?versions&key-marker=a&version-id-marker=bogus")),
            ("max-buckets", "0", lambda: raw("GET", f"{ENDPOINT}/?max-buckets=0")),
            ("x-amz-copy-source-range", "bytes=5-1", lambda: raw("PUT", f"{mp}?partNumber=1&uploadId={up}", headers={**copy, "x-amz-copy-source-range": "bytes=5-1"})),
            ("x-amz-copy-source", f"/{BUCKET}", lambda: raw("PUT", f"{base}/ia/copy", headers={"x-amz-copy-source": f"/{BUCKET}"})),
            ("x-amz-server-side-encryption", "AES512", lambda: raw("PUT", f"{base}/ia/sse", b"x", headers={"x-amz-server-side-encryption": "AES512"})),
            ("x-amz-object-attributes", "Colour", lambda: raw("GET", f"{obj}?attributes", headers={"x-amz-object-attributes": "ETag,Colour"})),
            ("response-content-type", "a\x01b", lambda: raw("GET", f"{obj}?response-content-type=a%01b")),
        ]
        for name, value, call in cases:
            status, body = call()
            root = ET.fromstring(body)
            assert status == 400 and root.findtext("Code") == "InvalidArgument", (name, status, body)
            shown = None if "\x01" in value else value  # a value XML 1.0 cannot carry is left out
            assert root.findtext("ArgumentName") == name and root.findtext("ArgumentValue") == shown, (name, body)
        e = error(lambda: s3.get_object(Bucket=BUCKET, Key="ia/obj", VersionId="bogus"))
        assert e["Code"] == "InvalidArgument" and e.get("ArgumentName") == "versionId" and e.get("ArgumentValue") == "bogus", e
        assert error(lambda: s3.head_object(Bucket=BUCKET, Key="ia/sse"))["Code"] in ("404", "NoSuchKey")
        s3.abort_multipart_upload(Bucket=BUCKET, Key="ia/mp", UploadId=up)
        """, "InvalidArgument ArgumentName everywhere");
    /// <summary>
    /// A copy source whose escapes are malformed or not UTF-8 is S3's "Invalid copy source encoding." and copies nothing;
    /// until this change such an escape was kept as text, so <c>/bucket/ia/%C3</c> copied the object named <c>ia/%C3</c>.
    /// </summary>
    [Fact]
    public Task Boto3_a_copy_source_that_is_not_percent_encoded_utf8_is_refused() => RunBotoAsync(ErrorFieldsPrelude + """

        s3.put_object(Bucket=BUCKET, Key="ia/%C3", Body=b"literal")
        up = s3.create_multipart_upload(Bucket=BUCKET, Key="ia/mp")["UploadId"]
        for source in (f"/{BUCKET}/ia/%C3", f"/{BUCKET}/ia/%ZZ", f"{BUCKET}/ia/%C3%28", f"/{BUCKET}/ia/%25C3?versionId=%C3"):
            for url in (f"{ENDPOINT}/{BUCKET}/ia/copy", f"{ENDPOINT}/{BUCKET}/ia/mp?partNumber=1&uploadId={up}"):
                status, body = raw("PUT", url, headers={"x-amz-copy-source": source})
                root = ET.fromstring(body)
                assert status == 400 and root.findtext("Code") == "InvalidArgument", (source, url, status, body)
                assert root.findtext("Message") == "Invalid copy source encoding." and root.findtext("ArgumentValue") == source, (source, body)
        assert error(lambda: s3.head_object(Bucket=BUCKET, Key="ia/copy"))["Code"] == "404"
        assert "Parts" not in s3.list_parts(Bucket=BUCKET, Key="ia/mp", UploadId=up)
        # Encoded as clients encode it, the same object copies.
        s3.copy_object(Bucket=BUCKET, Key="ia/copy", CopySource={"Bucket": BUCKET, "Key": "ia/%C3"})
        assert s3.get_object(Bucket=BUCKET, Key="ia/copy")["Body"].read() == b"literal"
        s3.abort_multipart_upload(Bucket=BUCKET, Key="ia/mp", UploadId=up)
        """, "copy source encoding");
}
