using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// Edge answers of the front door, each as S3 gives it: an empty tag key, a zero-sized listing page of uploads or parts,
/// a CORS preflight on a bucket without CORS, and the bucket owner condition (<c>x-amz-expected-bucket-owner</c>).
/// </summary>
public abstract partial class S3ClientSuite
{
    [Fact]
    public Task Boto3_an_empty_tag_key_is_an_invalid_tag_key_not_a_long_one() => RunBotoAsync("""
        s3.put_object(Bucket=BUCKET, Key="edge/tagged", Body=b"t")
        doc = b"<Tagging><TagSet><Tag><Key></Key><Value>x</Value></Tag></TagSet></Tagging>"
        status, answer = raw("PUT", f"{ENDPOINT}/{BUCKET}/edge/tagged?tagging", doc)
        assert status == 400 and b"<Code>InvalidTag</Code>" in answer, (status, answer)
        assert b"<Message>The TagKey you have provided is invalid</Message>" in answer, answer
        # The header form: "=v" names an empty key; nothing is stored.
        status, answer = raw("PUT", f"{ENDPOINT}/{BUCKET}/edge/header-tagged", b"h", headers={"x-amz-tagging": "=v"})
        assert status == 400 and b"<Message>The TagKey you have provided is invalid</Message>" in answer, (status, answer)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="edge/header-tagged"))[1] == 404
        # A long key keeps its own message.
        long_key = [{"Key": "k" * 129, "Value": "v"}]
        try:
            s3.put_object_tagging(Bucket=BUCKET, Key="edge/tagged", Tagging={"TagSet": long_key})
            raise AssertionError("a 129-character key was taken")
        except botocore.exceptions.ClientError as e:
            assert e.response["Error"]["Code"] == "InvalidTag" and "too long" in e.response["Error"]["Message"], e.response
        assert s3.get_object_tagging(Bucket=BUCKET, Key="edge/tagged")["TagSet"] == []
        """, "empty tag key");

    [Fact]
    public Task Boto3_a_zero_sized_page_of_uploads_or_parts_is_complete_not_truncated() => RunBotoAsync("""
        first = s3.create_multipart_upload(Bucket=BUCKET, Key="edge/mp-a")["UploadId"]
        second = s3.create_multipart_upload(Bucket=BUCKET, Key="edge/mp-b")["UploadId"]
        s3.upload_part(Bucket=BUCKET, Key="edge/mp-a", UploadId=first, PartNumber=1, Body=b"one")
        # A truncated page names where the next one starts; a zero-sized page has nowhere to go on from (as ListObjects' max-keys=0).
        status, body = raw("GET", f"{ENDPOINT}/{BUCKET}?uploads&max-uploads=0")
        assert status == 200 and b"<MaxUploads>0</MaxUploads>" in body and b"<IsTruncated>false</IsTruncated>" in body, (status, body)
        assert b"<Upload>" not in body and b"NextKeyMarker" not in body, body
        status, body = raw("GET", f"{ENDPOINT}/{BUCKET}/edge/mp-a?uploadId={first}&max-parts=0")
        assert status == 200 and b"<MaxParts>0</MaxParts>" in body and b"<IsTruncated>false</IsTruncated>" in body, (status, body)
        assert b"<Part>" not in body and b"NextPartNumberMarker" not in body, body
        # A page of one is still truncated, with its marker.
        page = s3.list_multipart_uploads(Bucket=BUCKET, MaxUploads=1)
        assert page["IsTruncated"] is True and page["NextKeyMarker"] == "edge/mp-a" and len(page["Uploads"]) == 1, page
        for key, upload in (("edge/mp-a", first), ("edge/mp-b", second)):
            s3.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload)
        """, "zero-sized pages");

    [Fact]
    public Task Boto3_a_cors_preflight_answers_that_the_bucket_has_no_cors() => RunBotoAsync("""
        def options(url, headers):
            r = urllib.request.Request(url, method="OPTIONS", headers=headers)
            try:
                with urllib.request.urlopen(r) as resp: return resp.status, dict(resp.headers), resp.read()
            except urllib.error.HTTPError as e:
                return e.code, dict(e.headers), e.read()
        s3.put_object(Bucket=BUCKET, Key="edge/cors", Body=b"c")
        for url, kind in ((f"{ENDPOINT}/{BUCKET}", "BUCKET"), (f"{ENDPOINT}/{BUCKET}/edge/cors", "OBJECT")):
            status, headers, body = options(url, {"Origin": "https://app.example", "Access-Control-Request-Method": "PUT"})
            assert status == 403 and b"<Code>AccessForbidden</Code>" in body, (url, status, body)
            assert b"<Message>CORSResponse: CORS is not enabled for this bucket.</Message>" in body, body
            assert b"<Method>PUT</Method>" in body and f"<ResourceType>{kind}</ResourceType>".encode() in body, body
            assert not any(h.lower().startswith("access-control-allow") for h in headers), headers
        status, _, body = options(f"{ENDPOINT}/{BUCKET}/edge/cors", {"Access-Control-Request-Method": "GET"})
        assert status == 400 and b"<Code>BadRequest</Code>" in body and b"Insufficient information. Origin request header needed." in body, (status, body)
        status, _, body = options(f"{ENDPOINT}/{BUCKET}/edge/cors", {"Origin": "https://app.example"})
        assert status == 400 and b"<Message>Invalid Access-Control-Request-Method: null</Message>" in body, (status, body)
        status, _, body = options(f"{ENDPOINT}/{BUCKET}/edge/cors", {"Origin": "https://app.example", "Access-Control-Request-Method": "PATCH"})
        assert status == 400 and b"<Message>Invalid Access-Control-Request-Method: PATCH</Message>" in body, (status, body)
        assert s3.get_object(Bucket=BUCKET, Key="edge/cors")["Body"].read() == b"c"
        """, "CORS preflight");

    [Fact]
    public Task Boto3_an_expected_bucket_owner_other_than_the_owner_is_refused_and_changes_nothing() => RunBotoAsync("""
        owner = s3.list_buckets()["Owner"]["ID"]
        other = "111122223333"
        assert owner != other
        s3.put_object(Bucket=BUCKET, Key="own/a", Body=b"a")
        s3.put_object_tagging(Bucket=BUCKET, Key="own/a", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
        denied = ("AccessDenied", 403)
        for call in (lambda: s3.put_object(Bucket=BUCKET, Key="own/a", Body=b"changed", ExpectedBucketOwner=other),
                     lambda: s3.put_object(Bucket=BUCKET, Key="own/new", Body=b"new", ExpectedBucketOwner="s3-someone-else"),
                     lambda: s3.get_object(Bucket=BUCKET, Key="own/a", ExpectedBucketOwner=other),
                     lambda: s3.delete_object(Bucket=BUCKET, Key="own/a", ExpectedBucketOwner=other),
                     lambda: s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "own/a"}]}, ExpectedBucketOwner=other),
                     lambda: s3.delete_object_tagging(Bucket=BUCKET, Key="own/a", ExpectedBucketOwner=other),
                     lambda: s3.list_objects_v2(Bucket=BUCKET, ExpectedBucketOwner=other),
                     lambda: s3.create_multipart_upload(Bucket=BUCKET, Key="own/mp", ExpectedBucketOwner=other),
                     lambda: s3.copy_object(Bucket=BUCKET, Key="own/copy", CopySource={"Bucket": BUCKET, "Key": "own/a"}, ExpectedBucketOwner=other),
                     lambda: s3.copy_object(Bucket=BUCKET, Key="own/copy", CopySource={"Bucket": BUCKET, "Key": "own/a"}, ExpectedSourceBucketOwner=other)):
            assert error_of(call) == denied
        assert error_of(lambda: s3.head_bucket(Bucket=BUCKET, ExpectedBucketOwner=other))[1] == 403
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="own/a", ExpectedBucketOwner=other))[1] == 403
        # An empty value names no owner: S3's InvalidBucketOwnerAWSAccountID.
        status, answer = raw("GET", f"{ENDPOINT}/{BUCKET}/own/a", headers={"x-amz-expected-bucket-owner": ""})
        assert status == 400 and b"<Code>InvalidBucketOwnerAWSAccountID</Code>" in answer, (status, answer)
        # Nothing changed.
        assert s3.get_object(Bucket=BUCKET, Key="own/a")["Body"].read() == b"a"
        assert s3.get_object_tagging(Bucket=BUCKET, Key="own/a")["TagSet"] == [{"Key": "k", "Value": "v"}]
        assert [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="own/").get("Contents", [])] == ["own/a"]
        assert s3.list_multipart_uploads(Bucket=BUCKET, Prefix="own/").get("Uploads", []) == []
        # The owner the listings name passes, on the target and on a copy's source.
        s3.put_object(Bucket=BUCKET, Key="own/a", Body=b"b", ExpectedBucketOwner=owner)
        s3.copy_object(Bucket=BUCKET, Key="own/copy", CopySource={"Bucket": BUCKET, "Key": "own/a"}, ExpectedBucketOwner=owner, ExpectedSourceBucketOwner=owner)
        assert s3.get_object(Bucket=BUCKET, Key="own/copy", ExpectedBucketOwner=owner)["Body"].read() == b"b"
        s3.head_bucket(Bucket=BUCKET, ExpectedBucketOwner=owner)
        # An emptied bucket is not deleted for another owner.
        s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "own/a"}, {"Key": "own/copy"}]}, ExpectedBucketOwner=owner)
        assert error_of(lambda: s3.delete_bucket(Bucket=BUCKET, ExpectedBucketOwner=other)) == denied
        s3.head_bucket(Bucket=BUCKET)
        """, "expected bucket owner");

    [Fact]
    public Task Boto3_an_append_offset_is_refused_and_the_object_is_kept_whole() => RunBotoAsync("""
        s3.put_object(Bucket=BUCKET, Key="edge/log", Body=b"first line\n")
        status, answer = raw("PUT", f"{ENDPOINT}/{BUCKET}/edge/log", b"second line\n", headers={"x-amz-write-offset-bytes": "11"})
        assert status == 501 and b"<Code>NotImplemented</Code>" in answer, (status, answer)
        assert s3.get_object(Bucket=BUCKET, Key="edge/log")["Body"].read() == b"first line\n"
        status, answer = raw("PUT", f"{ENDPOINT}/{BUCKET}/edge/new-log", b"x", headers={"x-amz-write-offset-bytes": "0"})
        assert status == 501 and error_of(lambda: s3.head_object(Bucket=BUCKET, Key="edge/new-log"))[1] == 404, (status, answer)
        """, "append offset");
}
