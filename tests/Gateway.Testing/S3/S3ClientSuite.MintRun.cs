using System.Text.Json;
using Xunit;

namespace Gateway.Testing.S3;

/// <summary>What MinIO's mint suites (awscli, s3cmd, minio-js) found when run against the front door (docs/s3.md, "MinIO mint, run").</summary>
public abstract partial class S3ClientSuite
{
    /// <summary>
    /// mint's awscli <c>test_copy_object_storage_class</c> and <c>_same</c>: a copy with <c>--storage-class</c> is answered 200, so
    /// HEAD must then name that class, as S3 does. The class was taken and dropped: HEAD answered no class (STANDARD).
    /// </summary>
    [Fact]
    public async Task Aws_cli_copy_with_a_storage_class_reads_that_class_back_and_a_plain_copy_is_standard()
    {
        var source = await Clients.MakeFileAsync("mint-1kB", 1024, seed: 31);
        AssertOk(await Clients.AwsAsync("s3api", "put-object", "--bucket", Bucket, "--key", "datafile-1-kB", "--body", source), "put-object");

        AssertOk(await Clients.AwsAsync("s3api", "copy-object", "--bucket", Bucket, "--storage-class", "REDUCED_REDUNDANCY",
            "--key", "datafile-1-kB-copy", "--copy-source", $"{Bucket}/datafile-1-kB"), "copy-object --storage-class");
        Assert.Equal("REDUCED_REDUNDANCY", await HeadStorageClassAsync("datafile-1-kB-copy"));

        // Onto itself (mint's _same): the class is the change that makes the copy legal.
        AssertOk(await Clients.AwsAsync("s3api", "copy-object", "--bucket", Bucket, "--storage-class", "REDUCED_REDUNDANCY",
            "--key", "datafile-1-kB", "--copy-source", $"{Bucket}/datafile-1-kB"), "copy-object onto itself --storage-class");
        Assert.Equal("REDUCED_REDUNDANCY", await HeadStorageClassAsync("datafile-1-kB"));
        var (status, body) = await FacadeGetAsync(Bucket, "datafile-1-kB");
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        Assert.Equal(await File.ReadAllBytesAsync(source), body);

        // A copy without the header is STANDARD, as in S3: the source's class is not carried over.
        AssertOk(await Clients.AwsAsync("s3api", "copy-object", "--bucket", Bucket, "--key", "plain-copy", "--copy-source", $"{Bucket}/datafile-1-kB"), "copy-object");
        Assert.Null(await HeadStorageClassAsync("plain-copy"));

        // The listing names each object's class, from the metadata the store lists with each object. S3's own listing
        // carries no user metadata, so behind an s3 store it answers STANDARD (docs/s3.md); HEAD names the class there too.
        var listedClass = StoreSettings.GetValueOrDefault("Kind") == "s3" ? "STANDARD" : "REDUCED_REDUNDANCY";
        var listed = await Clients.AwsAsync("s3api", "list-objects-v2", "--bucket", Bucket);
        AssertOk(listed, "list-objects-v2");
        using var doc = JsonDocument.Parse(listed.Stdout);
        var classes = doc.RootElement.GetProperty("Contents").EnumerateArray()
            .ToDictionary(o => o.GetProperty("Key").GetString()!, o => o.GetProperty("StorageClass").GetString());
        Assert.Equal(listedClass, classes["datafile-1-kB"]);
        Assert.Equal(listedClass, classes["datafile-1-kB-copy"]);
        Assert.Equal("STANDARD", classes["plain-copy"]);
    }

    /// <summary>The class given on PutObject and CreateMultipartUpload is kept too: the upload's listings and the completed object name it.</summary>
    [Fact]
    public async Task Aws_cli_put_and_multipart_upload_keep_their_storage_class()
    {
        var file = await Clients.MakeFileAsync("class.bin", 3000, seed: 32);
        AssertOk(await Clients.AwsAsync("s3api", "put-object", "--bucket", Bucket, "--key", "ia", "--body", file, "--storage-class", "STANDARD_IA"), "put-object");
        Assert.Equal("STANDARD_IA", await HeadStorageClassAsync("ia"));
        var attributes = await Clients.AwsAsync("s3api", "get-object-attributes", "--bucket", Bucket, "--key", "ia", "--object-attributes", "StorageClass",
            "--query", "StorageClass", "--output", "text");
        AssertOk(attributes, "get-object-attributes");
        Assert.Equal("STANDARD_IA", attributes.Stdout.Trim());

        var created = await Clients.AwsAsync("s3api", "create-multipart-upload", "--bucket", Bucket, "--key", "mp", "--storage-class", "ONEZONE_IA",
            "--query", "UploadId", "--output", "text");
        AssertOk(created, "create-multipart-upload");
        var uploadId = created.Stdout.Trim();
        var uploads = await Clients.AwsAsync("s3api", "list-multipart-uploads", "--bucket", Bucket, "--query", "Uploads[0].StorageClass", "--output", "text");
        AssertOk(uploads, "list-multipart-uploads");
        Assert.Equal("ONEZONE_IA", uploads.Stdout.Trim());
        var part = await Clients.AwsAsync("s3api", "upload-part", "--bucket", Bucket, "--key", "mp", "--upload-id", uploadId, "--part-number", "1",
            "--body", file, "--query", "ETag", "--output", "text");
        AssertOk(part, "upload-part");
        var parts = await Clients.AwsAsync("s3api", "list-parts", "--bucket", Bucket, "--key", "mp", "--upload-id", uploadId, "--query", "StorageClass", "--output", "text");
        AssertOk(parts, "list-parts");
        Assert.Equal("ONEZONE_IA", parts.Stdout.Trim());
        AssertOk(await Clients.AwsAsync("s3api", "complete-multipart-upload", "--bucket", Bucket, "--key", "mp", "--upload-id", uploadId,
            "--multipart-upload", $"Parts=[{{ETag={part.Stdout.Trim()},PartNumber=1}}]"), "complete-multipart-upload");
        Assert.Equal("ONEZONE_IA", await HeadStorageClassAsync("mp"));
    }

    /// <summary>HeadObject's StorageClass; null when the answer names none (STANDARD).</summary>
    private async Task<string?> HeadStorageClassAsync(string key)
    {
        var head = await Clients.AwsAsync("s3api", "head-object", "--bucket", Bucket, "--key", key);
        AssertOk(head, $"head-object {key}");
        using var doc = JsonDocument.Parse(head.Stdout);
        return doc.RootElement.TryGetProperty("StorageClass", out var value) ? value.GetString() : null;
    }
}
