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
}
