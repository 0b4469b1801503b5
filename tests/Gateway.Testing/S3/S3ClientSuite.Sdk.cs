using System.Net.Http.Json;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Xunit;

namespace Gateway.Testing.S3;

public abstract partial class S3ClientSuite
{
    private AmazonS3Client Sdk(RequestChecksumCalculation checksums) => new(new BasicAWSCredentials(Door.AccessKeyId, Door.Secret), new AmazonS3Config
    {
        ServiceURL = Door.EndpointText,
        ForcePathStyle = true,
        AuthenticationRegion = S3FrontDoor.Region,
        RequestChecksumCalculation = checksums,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        MaxErrorRetry = 0,
    });

    /// <summary>The AWS SDK for .NET signs streamed uploads chunk by chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), optionally with a checksum trailer.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Aws_sdk_chunk_signed_uploads_arrive_whole_and_are_witnessed_and_audited(bool checksumTrailer)
    {
        using var s3 = Sdk(checksumTrailer ? RequestChecksumCalculation.WHEN_SUPPORTED : RequestChecksumCalculation.WHEN_REQUIRED);
        await using var body = new PatternStream(3 * 1024 * 1024 + 17, seed: 23);
        var put = await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Bucket,
            Key = "sdk/chunked.bin",
            InputStream = body,
            UseChunkEncoding = true,
            AutoCloseStream = false,
        });
        Assert.Equal(System.Net.HttpStatusCode.OK, put.HttpStatusCode);
        var (status, stored) = await FacadeGetAsync(Bucket, "sdk/chunked.bin");
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        await using var expected = new PatternStream(3 * 1024 * 1024 + 17, seed: 23);
        var want = new MemoryStream();
        await expected.CopyToAsync(want);
        Assert.Equal(want.ToArray(), stored);

        // The front door's request id (x-amz-request-id) names the witnessed bridge call in the audit log.
        var requestId = put.ResponseMetadata.RequestId;
        Assert.False(string.IsNullOrEmpty(requestId));
        using var witnesses = await Door.Server.Client.GetAsync($"v1/witnesses/{requestId}");
        Assert.Equal(System.Net.HttpStatusCode.OK, witnesses.StatusCode);
        using var doc = JsonDocument.Parse(await witnesses.Content.ReadAsStringAsync());
        var operations = doc.RootElement.GetProperty("witnesses").EnumerateArray().Select(w => w.GetProperty("operation").GetString()).ToList();
        Assert.Contains("object-storage.put-object", operations);
    }

    [Fact]
    public async Task Aws_sdk_lists_buckets_and_reads_back_what_it_wrote()
    {
        using var s3 = Sdk(RequestChecksumCalculation.WHEN_REQUIRED);
        var buckets = await s3.ListBucketsAsync();
        Assert.Contains(buckets.Buckets, b => b.BucketName == Bucket);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "sdk/text.txt", ContentBody = "from the .NET SDK" });
        using var get = await s3.GetObjectAsync(Bucket, "sdk/text.txt");
        using var reader = new StreamReader(get.ResponseStream);
        Assert.Equal("from the .NET SDK", await reader.ReadToEndAsync());
        var error = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(Bucket, "sdk/missing"));
        Assert.Equal("NoSuchKey", error.ErrorCode);
    }
}
