using Amazon.Runtime;
using Amazon.S3.Model;
using Xunit;

namespace Gateway.Testing.S3;

/// <summary>Listing pages that cannot hold an entry (max-keys=0, max-uploads=0, a prefix no key can start with), answered as S3 answers them.</summary>
public abstract partial class S3ClientSuite
{
    /// <summary>
    /// S3 answers NoSuchBucket for a listing of a missing bucket whatever page it asks for. Until this session a page that
    /// could hold nothing was answered 200 and empty without the bucket being looked at.
    /// </summary>
    [Fact]
    public Task Boto3_an_empty_page_of_a_missing_bucket_is_no_such_bucket() => RunBotoAsync("""
        missing = BUCKET + "-gone"
        calls = {
            "list_objects max-keys=0": lambda: s3.list_objects(Bucket=missing, MaxKeys=0),
            "list_objects_v2 max-keys=0": lambda: s3.list_objects_v2(Bucket=missing, MaxKeys=0),
            "list_objects_v2 prefix no key can start with": lambda: s3.list_objects_v2(Bucket=missing, Prefix="/x"),
            "list_object_versions max-keys=0": lambda: s3.list_object_versions(Bucket=missing, MaxKeys=0),
            "list_multipart_uploads max-uploads=0": lambda: s3.list_multipart_uploads(Bucket=missing, MaxUploads=0),
        }
        for what, call in calls.items():
            got = error_of(call)
            # Where the backend lists any bucket name (the GCS emulator) a missing bucket cannot be told from an empty one.
            if os.environ["MISSING_BUCKETS_VISIBLE"] == "1": assert got == ("NoSuchBucket", 404), (what, got)
        # In the bucket that exists the same pages are empty and complete.
        s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
        r = s3.list_objects_v2(Bucket=BUCKET, MaxKeys=0)
        assert r["KeyCount"] == 0 and not r["IsTruncated"] and "Contents" not in r, r
        r = s3.list_objects(Bucket=BUCKET, MaxKeys=0)
        assert not r["IsTruncated"] and "Contents" not in r, r
        r = s3.list_objects_v2(Bucket=BUCKET, Prefix="/x")
        assert r["KeyCount"] == 0 and not r["IsTruncated"], r
        r = s3.list_multipart_uploads(Bucket=BUCKET, MaxUploads=0)
        assert not r["IsTruncated"] and "Uploads" not in r, r
        """, "empty pages of a missing bucket");

    /// <summary>
    /// A delimiter holding a character no key can hold (a control character, U+FFFE, U+FFFF) rolls up nothing, on every
    /// store. Over S3 and Azure Blob stores it was a 500 <c>InternalError</c>: the service echoed it into an XML answer its
    /// SDK could not read (hand probe, 2026-12-05).
    /// </summary>
    [Fact]
    public Task Boto3_a_delimiter_no_key_can_hold_rolls_up_nothing() => RunBotoAsync("""
        for k in ["a/b", "c"]: s3.put_object(Bucket=BUCKET, Key=k, Body=b"x")
        for d in ["\x01", "\x1f", "a\x01", "\ufffe", "\uffff"]:
            for name, call in [("v1", s3.list_objects), ("v2", s3.list_objects_v2)]:
                r = call(Bucket=BUCKET, Delimiter=d)
                got = sorted(o["Key"] for o in r.get("Contents", []))
                assert got == ["a/b", "c"] and "CommonPrefixes" not in r and r["Delimiter"] == d, (name, repr(d), r)
        """, "a delimiter no key can hold");

    /// <summary>
    /// ListMultipartUploads with max-uploads=0 answers its empty page without reading the bucket's upload records (it listed
    /// them and read every one, a head-object each, before answering nothing); the bucket is still looked up.
    /// </summary>
    [Fact]
    public async Task List_multipart_uploads_of_max_uploads_zero_reads_no_upload_record()
    {
        using var s3 = Sdk(RequestChecksumCalculation.WHEN_REQUIRED);
        var uploadId = (await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Bucket, Key = "pending/one" })).UploadId;
        try
        {
            var none = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket, MaxUploads = 0 });
            Assert.Empty(none.MultipartUploads ?? []);
            Assert.False(none.IsTruncated ?? false);
            var witnessed = await WitnessedOperationsAsync(none.ResponseMetadata.RequestId);
            // One listing of a single object says the bucket exists; no upload record is read.
            Assert.Equal(["object-storage.list-objects"], witnessed);

            var all = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket });
            Assert.Equal([uploadId], (all.MultipartUploads ?? []).Select(u => u.UploadId));
        }
        finally
        {
            await s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = "pending/one", UploadId = uploadId });
        }
    }

    /// <summary>
    /// ListParts with max-parts=0 answers its empty page from the upload record alone: it listed every part (and read the
    /// part checksums) before answering nothing.
    /// </summary>
    [Fact]
    public async Task List_parts_of_max_parts_zero_lists_no_part()
    {
        using var s3 = Sdk(RequestChecksumCalculation.WHEN_REQUIRED);
        var uploadId = (await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Bucket, Key = "pending/parts" })).UploadId;
        try
        {
            await s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = Bucket, Key = "pending/parts", UploadId = uploadId, PartNumber = 1, InputStream = new MemoryStream([1, 2, 3]),
            });
            string[] listings = ["object-storage.list-objects", "object-storage.list-parts"];

            var none = await s3.ListPartsAsync(new ListPartsRequest { BucketName = Bucket, Key = "pending/parts", UploadId = uploadId, MaxParts = 0 });
            Assert.Empty(none.Parts ?? []);
            Assert.False(none.IsTruncated ?? false);
            // No witness at all for the request (404) lists nothing either.
            using (var witnesses = await Door.Server.Client.GetAsync($"v1/witnesses/{none.ResponseMetadata.RequestId}"))
                if (witnesses.StatusCode != System.Net.HttpStatusCode.NotFound)
                    Assert.DoesNotContain(await WitnessedOperationsAsync(none.ResponseMetadata.RequestId), o => listings.Contains(o));

            var all = await s3.ListPartsAsync(new ListPartsRequest { BucketName = Bucket, Key = "pending/parts", UploadId = uploadId });
            Assert.Equal([1], (all.Parts ?? []).Select(p => p.PartNumber ?? 0));
            Assert.Contains(await WitnessedOperationsAsync(all.ResponseMetadata.RequestId), o => listings.Contains(o));
        }
        finally
        {
            await s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = "pending/parts", UploadId = uploadId });
        }
    }
}
