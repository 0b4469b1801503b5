using Xunit;

namespace Gateway.Testing.S3;

/// <summary>
/// What a black-box probe of the front door found (session 42): requests the dispatcher did not route ran as another
/// operation, conditions it did not read were dropped, and a copy that replaced metadata lost the multipart ETag.
/// </summary>
public abstract partial class S3ClientSuite
{
    /// <summary>
    /// RenameObject (<c>PUT ?renameObject</c>, S3 directory buckets') ran as a PutObject of the empty body: 200, and the
    /// target emptied. Any value-less parameter the front door does not route makes a write NotImplemented, and bucket
    /// sub-resources on an object key select nothing; a parameter with a value stays ignored, as S3 ignores it.
    /// </summary>
    [Fact]
    public Task Boto3_a_write_carrying_a_sub_resource_it_does_not_route_is_not_implemented_and_changes_nothing() => RunBotoAsync("""
        s3.put_object(Bucket=BUCKET, Key="rn/src", Body=b"source")
        s3.put_object(Bucket=BUCKET, Key="rn/dst", Body=b"destination")
        obj = f"{ENDPOINT}/{BUCKET}/rn/dst"
        for method, url, headers in (
                ("PUT", obj + "?renameObject", {"x-amz-rename-source": f"/{BUCKET}/rn/src"}),
                ("PUT", obj + "?versioning", {}), ("PUT", obj + "?location", {}), ("PUT", obj + "?attributes", {}),
                ("PUT", obj + "?someNewAction", {}), ("POST", obj + "?someNewAction", {}), ("DELETE", obj + "?someNewAction", {}),
                ("DELETE", obj + "?versions", {}), ("GET", obj + "?location", {}), ("GET", f"{ENDPOINT}/{BUCKET}?abac", {}),
                ("GET", f"{ENDPOINT}/{BUCKET}?metadataConfiguration", {}), ("DELETE", f"{ENDPOINT}/{BUCKET}?someNewAction", {})):
            assert code(*raw(method, url, headers=headers)) == (501, "NotImplemented"), (method, url)
        assert s3.get_object(Bucket=BUCKET, Key="rn/dst")["Body"].read() == b"destination"
        assert s3.get_object(Bucket=BUCKET, Key="rn/src")["Body"].read() == b"source"
        s3.head_bucket(Bucket=BUCKET)
        # A parameter with a value is not a sub-resource: ignored on a write, as S3 does.
        assert raw("PUT", obj + "?cache=1", b"replaced")[0] == 200
        assert s3.get_object(Bucket=BUCKET, Key="rn/dst")["Body"].read() == b"replaced"
        """, "unrouted sub-resources");

    /// <summary>
    /// DeleteObject's size and last-modified conditions (S3 directory buckets') were ignored and the object deleted whatever
    /// they said; DeleteObjects already refused them. Both now answer NotImplemented and delete nothing.
    /// </summary>
    [Fact]
    public Task Boto3_delete_object_conditions_the_front_door_does_not_read_delete_nothing() => RunBotoAsync("""
        s3.put_object(Bucket=BUCKET, Key="cond/o", Body=b"data")
        for header, value in (("x-amz-if-match-size", "999"), ("x-amz-if-match-last-modified-time", "Mon, 01 Jan 2001 00:00:00 GMT")):
            assert code(*raw("DELETE", f"{ENDPOINT}/{BUCKET}/cond/o", headers={header: value})) == (501, "NotImplemented"), header
        assert s3.get_object(Bucket=BUCKET, Key="cond/o")["Body"].read() == b"data"
        """, "DeleteObject size and time conditions");

    /// <summary>An object ACL request names a version as every other object request does: "null" or InvalidArgument.</summary>
    [Fact]
    public Task Boto3_an_object_acl_of_another_version_is_invalid_argument() => RunBotoAsync("""
        s3.put_object(Bucket=BUCKET, Key="acl/v", Body=b"x")
        assert error_of(lambda: s3.get_object_acl(Bucket=BUCKET, Key="acl/v", VersionId="abc")) == ("InvalidArgument", 400)
        assert error_of(lambda: s3.put_object_acl(Bucket=BUCKET, Key="acl/v", VersionId="abc", ACL="private")) == ("InvalidArgument", 400)
        assert s3.get_object_acl(Bucket=BUCKET, Key="acl/v", VersionId="null")["Grants"]
        """, "object ACL version");

    /// <summary>A copy whose source is missing names the source in the error (it named the target).</summary>
    [Fact]
    public Task Boto3_a_copy_from_a_missing_source_names_the_source() => RunBotoAsync("""
        try:
            s3.copy_object(Bucket=BUCKET, Key="copy/target", CopySource={"Bucket": BUCKET, "Key": "copy/missing source"})
            raise AssertionError("copied from nothing")
        except botocore.exceptions.ClientError as e:
            assert (e.response["Error"]["Code"], e.response["Error"].get("Key")) == ("NoSuchKey", "copy/missing source"), e.response["Error"]
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="copy/target"))[1] == 404
        """, "missing copy source");

    /// <summary>
    /// A completion naming a part never uploaded is InvalidPart even after a small part (it was EntityTooSmall); a
    /// completion of uploaded parts with a small one before the last is still EntityTooSmall.
    /// </summary>
    [Fact]
    public Task Boto3_a_completion_naming_a_missing_part_is_invalid_part_before_sizes_are_judged() => RunBotoAsync("""
        upload = s3.create_multipart_upload(Bucket=BUCKET, Key="mp/missing")["UploadId"]
        small = s3.upload_part(Bucket=BUCKET, Key="mp/missing", UploadId=upload, PartNumber=1, Body=b"small")["ETag"]
        last = s3.upload_part(Bucket=BUCKET, Key="mp/missing", UploadId=upload, PartNumber=2, Body=b"last")["ETag"]
        complete = lambda parts: s3.complete_multipart_upload(Bucket=BUCKET, Key="mp/missing", UploadId=upload, MultipartUpload={"Parts": parts})
        assert error_of(lambda: complete([{"PartNumber": 1, "ETag": small}, {"PartNumber": 3, "ETag": last}])) == ("InvalidPart", 400)
        assert error_of(lambda: complete([{"PartNumber": 1, "ETag": small}, {"PartNumber": 2, "ETag": last}])) == ("EntityTooSmall", 400)
        s3.abort_multipart_upload(Bucket=BUCKET, Key="mp/missing", UploadId=upload)
        """, "missing part before sizes");

    /// <summary>
    /// A copy that replaces the metadata keeps what describes the bytes, as a copy that keeps the metadata does: the
    /// multipart ETag and the parts. Azure and GCS answered their own ETag for such a copy, and the local store lost its
    /// parts (partNumber=2 was 400).
    /// </summary>
    [Fact]
    public Task Boto3_a_copy_replacing_metadata_keeps_the_multipart_etag_and_parts() => RunBotoAsync("""
        first = os.urandom(5 * 1024 * 1024)
        upload = s3.create_multipart_upload(Bucket=BUCKET, Key="mp/source")["UploadId"]
        parts = [{"PartNumber": n, "ETag": s3.upload_part(Bucket=BUCKET, Key="mp/source", UploadId=upload, PartNumber=n, Body=body)["ETag"]}
                 for n, body in ((1, first), (2, b"tail"))]
        s3.complete_multipart_upload(Bucket=BUCKET, Key="mp/source", UploadId=upload, MultipartUpload={"Parts": parts})
        etag = s3.head_object(Bucket=BUCKET, Key="mp/source")["ETag"]
        assert etag.endswith('-2"'), etag
        copied = s3.copy_object(Bucket=BUCKET, Key="mp/copy", CopySource={"Bucket": BUCKET, "Key": "mp/source"},
                                MetadataDirective="REPLACE", Metadata={"k": "v"}, ContentType="application/x-copied")
        assert copied["CopyObjectResult"]["ETag"] == etag, (copied["CopyObjectResult"]["ETag"], etag)
        for key in ("mp/copy", "mp/source"):
            if key == "mp/source":
                # The in-place form: the object copied onto itself with new metadata.
                s3.copy_object(Bucket=BUCKET, Key=key, CopySource={"Bucket": BUCKET, "Key": key}, MetadataDirective="REPLACE", Metadata={"k": "w"})
            head = s3.head_object(Bucket=BUCKET, Key=key)
            assert head["ETag"] == etag and head["Metadata"]["k"] in ("v", "w"), (key, head["ETag"], head["Metadata"])
            second = s3.head_object(Bucket=BUCKET, Key=key, PartNumber=2)
            assert (second["ContentLength"], second["PartsCount"]) == (4, 2), (key, second)
        # An s3 store's listing carries no metadata: there the parts area's object lists with the store's own ETag, copied or not.
        if os.environ["STORE_KIND"] != "s3":
            listed = {o["Key"]: o["ETag"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="mp/")["Contents"]}
            assert listed == {"mp/copy": etag, "mp/source": etag}, listed
        """, "REPLACE copy of a multipart object");
}
