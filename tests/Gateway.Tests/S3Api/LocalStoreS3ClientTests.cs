using Amazon.S3.Model;
using Gateway.Bridges.Local;
using Gateway.Testing.S3;

namespace Gateway.Tests.S3Api;

/// <summary>The S3 front door over the local filesystem store, driven by the real clients.</summary>
public sealed class LocalStoreS3ClientTests : S3ClientSuite
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "gateway-s3-local-" + Guid.NewGuid().ToString("N"));

    protected override IReadOnlyDictionary<string, string?> StoreSettings => new Dictionary<string, string?>
    {
        ["Kind"] = "local",
        ["Root"] = Root,
    };

    protected override void EnsureBackendAvailable() { }

    /// <summary>The object is planted as the store writes it, its 5 GiB of content a hole in a sparse file (no bytes written).</summary>
    [Xunit.Fact]
    public async Task Front_door_refuses_a_copy_source_over_five_gibibytes()
    {
        const string key = "huge/source.bin";
        const long size = 5L * 1024 * 1024 * 1024 + 1;
        var path = LocalObjectStore.ObjectPath(Path.Combine(Root, Bucket), key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var file = new FileStream(path, FileMode.CreateNew))
        {
            file.SetLength(size);
            file.Seek(size, SeekOrigin.Begin);
            LocalObjectFile.WriteTrailer(file, new LocalObjectFile.Trailer(key, size, Convert.ToBase64String(new byte[16]), "application/octet-stream", [], DateTimeOffset.UtcNow));
        }
        try { await A_copy_source_over_five_gibibytes_is_refused(key); }
        finally { File.Delete(path); }
    }

    [Xunit.Fact]
    public Task Front_door_serves_an_object_holding_what_no_header_can_carry() => An_object_holding_what_no_header_can_carry_is_served_with_safe_headers();

    public static Xunit.TheoryData<string> CallsOnAForgottenUpload => ["list-parts", "upload-part", "complete"];

    [Xunit.Theory]
    [Xunit.MemberData(nameof(CallsOnAForgottenUpload))]
    public Task Front_door_removes_the_record_of_an_upload_the_store_forgot(string call) =>
        A_record_whose_upload_the_store_forgot_is_removed_by_the_call_that_finds_it_gone(call switch
        {
            "list-parts" => (s3, key, id) => s3.ListPartsAsync(new ListPartsRequest { BucketName = Bucket, Key = key, UploadId = id }),
            "upload-part" => (s3, key, id) => s3.UploadPartAsync(new UploadPartRequest { BucketName = Bucket, Key = key, UploadId = id, PartNumber = 2, InputStream = new MemoryStream([1, 2, 3]) }),
            _ => (s3, key, id) => s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = id, PartETags = [new PartETag(1, "\"f4c9385f1902f7334b00b9b4ecd164de\"")] }),
        });

    [Xunit.Fact]
    public Task Front_door_answers_a_retried_completion_of_an_upload_the_store_completed() => A_retried_completion_of_an_upload_the_store_completed_is_answered_with_its_object();
}
