using Amazon.S3;
using Amazon.S3.Model;
using Gateway.Bridges.Shared;
using Gateway.Contracts.ObjectStorage;
using Polly;

namespace Gateway.Bridges.S3;

/// <summary>
/// One multipart upload with bounded memory: the body is cut into parts of PartSizeBytes, at most
/// MaxParallelParts in flight. A stated whole-object MD5 is checked before the upload is completed, and any
/// failure aborts it, so a failed put leaves nothing behind and the previous object intact. Without one (and unless
/// the caller asks for it, <see cref="PutObjectOptions.ReportMd5"/>) no MD5 is computed: S3 keeps none for a multipart object (its ETag is not one, and reads state none), each part's bytes are
/// checked by S3 against the SHA-256 or checksum the part is signed with, and the channel's witness covers the body.
/// </summary>
sealed class S3MultipartUpload(IAmazonS3 client, ResiliencePipeline pipeline, S3StoreOptions options, string store)
{
    public async Task<ObjectInfo> RunAsync(string bucket, string key, Stream content, PutObjectOptions put, CancellationToken ct)
    {
        var initiate = new InitiateMultipartUploadRequest { BucketName = bucket, Key = key, ContentType = put.ContentType };
        S3Metadata.Write(initiate.Metadata, put.Metadata);
        S3Metadata.WriteHeaders(initiate.Headers, put.ContentHeaders);
        var started = await S3Call.Run(pipeline, store, c => client.InitiateMultipartUploadAsync(initiate, c), false, $"start upload of '{bucket}/{key}'", ct);
        var uploadId = started.UploadId;
        var completed = false;
        try
        {
            var (etags, size, md5) = await ChunkedUpload.SendAsync(content, PartSize(options, put.ContentLength), options.MaxParallelParts, md5: put.ContentMd5 is not null || put.ReportMd5,
                size => new NativeChunk(size), (index, chunk, c) => UploadPartAsync(bucket, key, uploadId, index + 1, chunk, c), ct);
            var digest = md5 is null ? null : Convert.ToBase64String(md5);
            if (put.ContentMd5 is { } expected && expected != digest) throw S3ObjectStore.BadDigest();

            var complete = new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId, PartETags = [.. etags] };
            if (put.Conditions.IfNoneMatch is ["*"]) complete.IfNoneMatch = "*";
            if (put.Conditions.IfMatch is [var single] && single != "*") complete.IfMatch = single;
            var done = await S3Call.Run(pipeline, store, c => client.CompleteMultipartUploadAsync(complete, c), false, $"complete upload of '{bucket}/{key}'", ct);
            completed = true;
            return new ObjectInfo
            {
                Key = key,
                Size = size,
                ETag = S3Metadata.ETag(done.ETag),
                LastModified = DateTimeOffset.UtcNow,
                ContentType = put.ContentType,
                ContentMd5 = digest,
                Metadata = S3ObjectStore.Lowered(put.Metadata),
                ContentHeaders = ContentHeaders.OrNull(put.ContentHeaders),
            };
        }
        finally
        {
            if (!completed)
            {
                try
                {
                    await S3Call.Run(pipeline, store, c => client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId }, c),
                        true, $"abort upload of '{bucket}/{key}'", CancellationToken.None);
                }
                catch (Exception)
                {
                    // Best effort: the original failure is what the caller needs; a bucket lifecycle rule reaps leftovers.
                }
            }
        }
    }

    /// <summary>Parts grow with a declared length so any object up to 5 TiB fits S3's 10,000 parts.</summary>
    internal static int PartSize(S3StoreOptions options, long contentLength) =>
        contentLength > 0 ? (int)Math.Max(options.PartSizeBytes, (contentLength + MaxParts - 1) / MaxParts) : options.PartSizeBytes;

    internal const int MaxParts = 10_000;

    async Task<PartETag> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, UploadChunk chunk, CancellationToken ct)
    {
        var response = await S3Call.Run(pipeline, store, c => client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = bucket,
            Key = key,
            UploadId = uploadId,
            PartNumber = partNumber,
            InputStream = chunk.OpenRead(),
            PartSize = chunk.Length,
            UseChunkEncoding = !options.PlainPayloads,
        }, c), true, $"upload part {partNumber} of '{bucket}/{key}'", ct);
        return new PartETag(partNumber, response.ETag);
    }
}
