using System.Net.Http.Headers;
using Amazon.S3;
using Amazon.S3.Model;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Gateway.Bridges.AzureBlob;
using Gateway.Bridges.Gcs;
using Gateway.Bridges.S3;
using Google.Apis.Http;
using Google.Cloud.Storage.V1;

namespace Gateway.Bench.CloudStorage;

/// <summary>
/// The direct baselines of the put ratios (issue 16: "check whether the direct baseline and the gateway take the same
/// path"): each uploads a file with the SDK's own calls along the path the bridge takes for a body of that declared
/// length, with the bridge's settings (cutoffs, part or block size, parallelism, chunking). So a ratio measures what
/// the gateway adds, not a difference of upload strategy. The SDKs' default one-call uploads stay measured beside them
/// (<c>*_put_ratio_vs_sdk_default</c>): at 256 MiB each of them takes another path than its bridge.
/// </summary>
static class SamePathUploads
{
    /// <summary>
    /// Above <see cref="S3StoreOptions.MultipartThresholdBytes"/> a multipart upload of PartSizeBytes parts (grown to fit
    /// 10,000), MaxParallelParts at once, each part signed with its SHA-256 as the bridge's plain-payload parts are;
    /// otherwise one PutObject. (Until session 27 the bridge also hashed the whole body with MD5 as it went; now only
    /// when the caller declares an MD5, which the bench's gateway puts do not.)
    /// </summary>
    public static async Task S3Async(IAmazonS3 s3, S3StoreOptions options, string bucket, string key, string file, long size)
    {
        if (size <= options.MultipartThresholdBytes)
        {
            await using var body = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = body, UseChunkEncoding = !options.PlainPayloads, AutoCloseStream = false });
            return;
        }
        var partSize = Math.Max(options.PartSizeBytes, (size + 9_999) / 10_000);
        var parts = (int)((size + partSize - 1) / partSize);
        var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key });
        var etags = new PartETag[parts];
        await Parallel.ForEachAsync(Enumerable.Range(0, parts), new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelParts }, async (i, ct) =>
        {
            var part = await s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = bucket,
                Key = key,
                UploadId = upload.UploadId,
                PartNumber = i + 1,
                FilePath = file,
                FilePosition = i * partSize,
                PartSize = Math.Min(partSize, size - i * partSize),
                UseChunkEncoding = !options.PlainPayloads,
            }, ct);
            etags[i] = new PartETag(i + 1, part.ETag);
        });
        await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId, PartETags = [.. etags] });
    }

    /// <summary>
    /// Up to <see cref="AzureBlobStoreOptions.BlockUploadThresholdBytes"/> one Put Blob (the SDK's single-upload threshold
    /// raised, as the bridge raises it); above, staged blocks of BlockSizeBytes, MaxParallelBlocks at once.
    /// </summary>
    public static async Task AzureAsync(BlobContainerClient container, AzureBlobStoreOptions options, string key, string file, long size)
    {
        var onePutBlob = size <= options.BlockUploadThresholdBytes && size < AzureBlobStoreOptions.MaxPutBlobBytes;
        var transfer = onePutBlob
            ? new StorageTransferOptions { InitialTransferSize = AzureBlobStoreOptions.MaxPutBlobBytes }
            : new StorageTransferOptions { InitialTransferSize = options.BlockSizeBytes, MaximumTransferSize = options.BlockSizeBytes, MaximumConcurrency = options.MaxParallelBlocks };
        await using var body = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        await container.GetBlobClient(key).UploadAsync(body, new BlobUploadOptions { TransferOptions = transfer });
    }

    /// <summary>
    /// Above <see cref="GcsStoreOptions.SingleUploadThresholdBytes"/> and up to ChunkedUploadThresholdBytes, the SDK's
    /// resumable session sent as its one request, streamed through the SDK's HTTP client, as the bridge sends it; above
    /// that, the SDK's chunked upload of ChunkBytes; at or below, the SDK's upload in one chunk. No validation pass.
    /// </summary>
    public static async Task GcsAsync(StorageClient gcs, GcsStoreOptions options, string bucket, string key, string file, long size)
    {
        await using var body = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var resource = new Google.Apis.Storage.v1.Data.Object { Bucket = bucket, Name = key, ContentType = "application/octet-stream" };
        if (size <= options.SingleUploadThresholdBytes || size > options.ChunkedUploadThresholdBytes)
        {
            var chunk = size <= options.SingleUploadThresholdBytes ? (int)RoundUp(Math.Max(size, 1)) : options.ChunkBytes;
            await gcs.UploadObjectAsync(resource, body, new UploadObjectOptions { ChunkSize = chunk, UploadValidationMode = UploadValidationMode.None });
            return;
        }
        var session = await gcs.CreateObjectUploader(resource, body, new UploadObjectOptions { ChunkSize = options.ChunkBytes, UploadValidationMode = UploadValidationMode.None })
            .InitiateSessionAsync();
        using var request = new HttpRequestMessage(HttpMethod.Put, session) { Content = new StreamContent(body, 1024 * 1024) };
        request.Content.Headers.ContentLength = size;
        request.Content.Headers.ContentRange = new ContentRangeHeaderValue(0, size - 1, size);
        request.Options.Set(new HttpRequestOptionsKey<int>(ConfigurableMessageHandler.MaxRetriesKey), 1);
        using var response = await gcs.Service.HttpClient.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    static long RoundUp(long length) =>
        (length + UploadObjectOptions.MinimumChunkSize - 1) / UploadObjectOptions.MinimumChunkSize * UploadObjectOptions.MinimumChunkSize;
}
