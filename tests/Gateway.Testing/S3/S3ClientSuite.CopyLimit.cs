namespace Gateway.Testing.S3;

/// <summary>S3's 5 GiB limit on what one copy (CopyObject, or one UploadPartCopy) may take from its source.</summary>
public abstract partial class S3ClientSuite
{
    /// <summary>What S3 answers a copy source over 5 GiB (AWS's InvalidRequest; rclone's and s3tar's issue threads quote it).</summary>
    private const string CopySourceTooLarge = "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120";

    /// <summary>
    /// A store kind that can hold <paramref name="key"/> as an object of 5 GiB and one byte without writing its bytes (a
    /// sparse file on the local store) runs this: CopyObject and an UploadPartCopy of the whole source or of a range over
    /// 5 GiB are refused with S3's answer and write nothing, while a part copy of a range within the limit works. Until this
    /// session the front door took them and left the store copying (or streaming) more than S3 ever copies at once.
    /// </summary>
    protected Task A_copy_source_over_five_gibibytes_is_refused(string key) => RunBotoAsync($$"""
        KEY, MESSAGE = "{{key}}", "{{CopySourceTooLarge}}"
        source = {"Bucket": BUCKET, "Key": KEY}
        assert s3.head_object(Bucket=BUCKET, Key=KEY)["ContentLength"] == 5 * 1024**3 + 1
        def refused(call):
            try:
                call()
            except botocore.exceptions.ClientError as e:
                return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"]
            raise AssertionError("expected an error")
        assert refused(lambda: s3.copy_object(Bucket=BUCKET, Key="copy", CopySource=source)) == ("InvalidRequest", 400, MESSAGE)
        assert refused(lambda: s3.copy_object(Bucket=BUCKET, Key=KEY, CopySource=source, MetadataDirective="REPLACE")) == ("InvalidRequest", 400, MESSAGE)
        assert error_of(lambda: s3.head_object(Bucket=BUCKET, Key="copy")) == ("404", 404)
        upload = s3.create_multipart_upload(Bucket=BUCKET, Key="parts")["UploadId"]
        def part_copy(**kw): return s3.upload_part_copy(Bucket=BUCKET, Key="parts", UploadId=upload, PartNumber=1, CopySource=source, **kw)
        assert refused(lambda: part_copy()) == ("InvalidRequest", 400, MESSAGE)
        assert refused(lambda: part_copy(CopySourceRange="bytes=0-5368709120")) == ("InvalidRequest", 400, MESSAGE)
        assert "Parts" not in s3.list_parts(Bucket=BUCKET, Key="parts", UploadId=upload)
        # A range within the limit is how such objects are copied (here the source's last two bytes).
        etag = part_copy(CopySourceRange="bytes=5368709119-5368709120")["CopyPartResult"]["ETag"]
        assert [(p["PartNumber"], p["Size"], p["ETag"]) for p in s3.list_parts(Bucket=BUCKET, Key="parts", UploadId=upload)["Parts"]] == [(1, 2, etag)]
        s3.abort_multipart_upload(Bucket=BUCKET, Key="parts", UploadId=upload)
        """, "a copy source over 5 GiB");
}
