using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3.Model;
using Gateway.Channel.Families;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Gateway.Testing.S3;

public abstract partial class S3ClientSuite
{
    private const string UploadsArea = ".s3-uploads/";

    /// <summary>
    /// Where the store runs multipart uploads itself (local, Azure), the front door's parts are the store's own: sent as
    /// witnessed upload-part calls, never objects, listed by the store's list-parts; only the upload's record is an
    /// object. Elsewhere (GCS) they are objects of the parts area. Either way S3's answers are the same.
    /// </summary>
    [Fact]
    public async Task Multipart_parts_go_to_the_stores_own_multipart_upload_where_it_has_one()
    {
        var store = Door.Server.Services.GetRequiredService<BridgeRegistry<IObjectStore>>().Get(S3FrontDoor.StoreName);
        var native = store.Capabilities.MultipartUploads;
        using var s3 = Sdk(RequestChecksumCalculation.WHEN_REQUIRED);
        const string key = "native/obj.bin";
        var initiate = new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key, ContentType = "text/x-native" };
        initiate.Metadata.Add("kind", "native");
        var uploadId = (await s3.InitiateMultipartUploadAsync(initiate)).UploadId;
        var part1 = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var part2 = "the tail"u8.ToArray();
        var sent1 = await s3.UploadPartAsync(new UploadPartRequest { BucketName = Bucket, Key = key, UploadId = uploadId, PartNumber = 1, InputStream = new MemoryStream(part1) });
        var sent2 = await s3.UploadPartAsync(new UploadPartRequest { BucketName = Bucket, Key = key, UploadId = uploadId, PartNumber = 2, InputStream = new MemoryStream(part2) });
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(part1))}\"", sent1.ETag);
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(part2))}\"", sent2.ETag);

        // The part reached the store as the witnessed call of its path.
        Assert.Contains(native ? "object-storage.upload-part" : "object-storage.put-object", await WitnessedOperationsAsync(sent1.ResponseMetadata.RequestId));

        var held = await KeysAsync(store, UploadsArea);
        var record = $"{UploadsArea}{uploadId}/upload";
        if (native)
        {
            Assert.Equal([record], held); // no part is an object
            string nativeId;
            await using (var content = await store.GetObjectAsync(Bucket, record, new GetObjectOptions(), default))
                nativeId = await new StreamReader(content.Body, Encoding.ASCII).ReadToEndAsync();
            var parts = await store.ListPartsAsync(Bucket, key, nativeId, default);
            Assert.Equal([(1, (long)part1.Length), (2, (long)part2.Length)], parts.Select(p => (p.PartNumber, p.Size)));
        }
        else Assert.Equal([$"{UploadsArea}{uploadId}/part-00001", $"{UploadsArea}{uploadId}/part-00002", record], held.Order(StringComparer.Ordinal));
        Assert.Empty((await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket })).S3Objects ?? []);

        var listed = await s3.ListPartsAsync(new ListPartsRequest { BucketName = Bucket, Key = key, UploadId = uploadId });
        Assert.Equal([(1, sent1.ETag, (long)part1.Length), (2, sent2.ETag, (long)part2.Length)], listed.Parts.Select(p => (p.PartNumber ?? 0, p.ETag, p.Size ?? 0)));
        var uploads = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket });
        Assert.Equal([(key, uploadId)], uploads.MultipartUploads.Select(u => (u.Key, u.UploadId)));

        var done = await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket, Key = key, UploadId = uploadId,
            PartETags = [new PartETag(1, sent1.ETag), new PartETag(2, sent2.ETag)],
        });
        var md5s = MD5.HashData([.. MD5.HashData(part1), .. MD5.HashData(part2)]);
        Assert.Equal($"\"{Convert.ToHexStringLower(md5s)}-2\"", done.ETag);
        var completedBy = native ? "object-storage.complete-multipart-upload"
            : store.Capabilities.ComposeParts ? "object-storage.copy-object" : "object-storage.put-object";
        Assert.Contains(completedBy, await WitnessedOperationsAsync(done.ResponseMetadata.RequestId));

        using var got = await s3.GetObjectAsync(Bucket, key);
        var body = new MemoryStream();
        await got.ResponseStream.CopyToAsync(body);
        Assert.Equal([.. part1, .. part2], body.ToArray());
        Assert.Equal(done.ETag, got.ETag);
        Assert.Equal("text/x-native", got.Headers.ContentType);
        Assert.Equal("native", got.Metadata["kind"]);
        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = key, PartNumber = 2 });
        Assert.Equal(part2.Length, head.ContentLength);

        // The upload is gone everywhere: its record, its parts (the store's own listing refuses the id), S3's answers.
        Assert.Empty(await KeysAsync(store, UploadsArea));
        var gone = await Assert.ThrowsAsync<Amazon.S3.AmazonS3Exception>(() => s3.ListPartsAsync(new ListPartsRequest { BucketName = Bucket, Key = key, UploadId = uploadId }));
        Assert.Equal("NoSuchUpload", gone.ErrorCode);
        Assert.Empty((await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket })).MultipartUploads ?? []);
    }

    /// <summary>
    /// A crash between the store's commit of a completion (or an abort) and the front door's removal of the upload's record
    /// left the record: ListMultipartUploads listed an upload that ListParts, UploadPart and the completion answer
    /// NoSuchUpload for. The store is made to forget the upload here as that commit does; the first call that finds it gone
    /// removes the record. For a store that can tell a forgotten upload (Azure cannot: one without parts looks the same).
    /// </summary>
    protected async Task A_record_whose_upload_the_store_forgot_is_removed_by_the_call_that_finds_it_gone(Func<Amazon.S3.AmazonS3Client, string, string, Task> call) =>
        await A_record_the_store_no_longer_backs_is_removed((store, key, nativeId, _) => store.AbortMultipartUploadAsync(Bucket, key, nativeId, default), async (s3, key, id) =>
        {
            var gone = await Assert.ThrowsAsync<Amazon.S3.AmazonS3Exception>(() => call(s3, key, id));
            Assert.Equal("NoSuchUpload", gone.ErrorCode);
        });

    /// <summary>
    /// The same crash after the store's commit of a completion: a retried CompleteMultipartUpload is answered with the object
    /// the completion made, as S3 answers a repeated one (it was NoSuchUpload once, then 200: the session-48 review).
    /// </summary>
    protected Task A_retried_completion_of_an_upload_the_store_completed_is_answered_with_its_object() =>
        A_record_the_store_no_longer_backs_is_removed(async (store, key, nativeId, uploadId) =>
        {
            var parts = await store.ListPartsAsync(Bucket, key, nativeId, default);
            await store.CompleteMultipartUploadAsync(Bucket, key, nativeId, new CompleteUploadRequest
            {
                Parts = [.. parts.Select(p => new CompletedPart(p.PartNumber, p.ETag))],
                Metadata = new Dictionary<string, string> { ["gw_s3_upload"] = uploadId },
            }, default);
        }, async (s3, key, id) =>
        {
            var done = await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = Bucket, Key = key, UploadId = id, PartETags = [new PartETag(1, "\"f4c9385f1902f7334b00b9b4ecd164de\"")],
            });
            Assert.Equal(System.Net.HttpStatusCode.OK, done.HttpStatusCode);
            using var got = await s3.GetObjectAsync(Bucket, key);
            Assert.Equal("part", await new StreamReader(got.ResponseStream).ReadToEndAsync());
        });

    private async Task A_record_the_store_no_longer_backs_is_removed(Func<IObjectStore, string, string, string, Task> forget, Func<Amazon.S3.AmazonS3Client, string, string, Task> call)
    {
        var store = Door.Server.Services.GetRequiredService<BridgeRegistry<IObjectStore>>().Get(S3FrontDoor.StoreName);
        using var s3 = Sdk(RequestChecksumCalculation.WHEN_REQUIRED);
        const string key = "forgotten/obj.bin";
        var uploadId = (await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key })).UploadId;
        await s3.UploadPartAsync(new UploadPartRequest { BucketName = Bucket, Key = key, UploadId = uploadId, PartNumber = 1, InputStream = new MemoryStream("part"u8.ToArray()) });
        var record = $"{UploadsArea}{uploadId}/upload";
        string nativeId;
        await using (var content = await store.GetObjectAsync(Bucket, record, new GetObjectOptions(), default))
            nativeId = await new StreamReader(content.Body, Encoding.ASCII).ReadToEndAsync();
        await forget(store, key, nativeId, uploadId);
        Assert.Equal([(key, uploadId)], (await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket })).MultipartUploads.Select(u => (u.Key, u.UploadId)));

        await call(s3, key, uploadId);

        Assert.Empty((await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket })).MultipartUploads ?? []);
        Assert.Empty(await KeysAsync(store, UploadsArea));
        var again = await Assert.ThrowsAsync<Amazon.S3.AmazonS3Exception>(() => s3.ListPartsAsync(new ListPartsRequest { BucketName = Bucket, Key = key, UploadId = uploadId }));
        Assert.Equal("NoSuchUpload", again.ErrorCode);
    }

    private async Task<List<string>> WitnessedOperationsAsync(string requestId)
    {
        using var witnesses = await Door.Server.Client.GetAsync($"v1/witnesses/{requestId}");
        Assert.Equal(System.Net.HttpStatusCode.OK, witnesses.StatusCode);
        using var doc = JsonDocument.Parse(await witnesses.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("witnesses").EnumerateArray().Select(w => w.GetProperty("operation").GetString()!).ToList();
    }

    private async Task<List<string>> KeysAsync(IObjectStore store, string prefix)
    {
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = await store.ListObjectsAsync(Bucket, new Gateway.Contracts.ObjectStorage.ListObjectsRequest { Prefix = prefix, PageToken = token }, default);
            keys.AddRange(page.Objects.Select(o => o.Key));
            token = page.NextPageToken;
        } while (token is not null);
        return keys;
    }
}
