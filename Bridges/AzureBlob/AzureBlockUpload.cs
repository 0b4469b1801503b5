using System.Text;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Gateway.Bridges.Shared;
using Gateway.Contracts.ObjectStorage;
using Polly;

namespace Gateway.Bridges.AzureBlob;

/// <summary>
/// One block-blob upload with bounded memory: blocks of BlockSizeBytes, at most MaxParallelBlocks staged at once,
/// then one block-list commit. The whole-object MD5 is checked before the commit; an upload that fails before it
/// leaves only uncommitted blocks, which are invisible and which the service discards.
/// </summary>
sealed class AzureBlockUpload(BlockBlobClient blob, ResiliencePipeline pipeline, AzureBlobStoreOptions options, string store)
{
    public async Task<ObjectInfo> RunAsync(Stream content, PutObjectOptions put, CancellationToken ct)
    {
        // Block ids are unique per upload, so concurrent uploads of the same blob cannot mix their blocks.
        var uploadId = Guid.NewGuid().ToString("N");
        // Always hashed: the MD5 becomes the blob's Content-MD5, which Azure keeps and answers on every read.
        var (ids, size, hash) = await ChunkedUpload.SendAsync(content, BlockSize(options, put.ContentLength), options.MaxParallelBlocks, md5: true, size => new NativeChunk(size),
            (index, chunk, c) => StageAsync(Convert.ToBase64String(Encoding.ASCII.GetBytes($"{uploadId}-{index:D6}")), chunk, c), ct);
        var digest = hash!;
        if (put.ContentMd5 is { } expected && expected != Convert.ToBase64String(digest)) throw AzureBlobObjectStore.BadDigest();

        var committed = await AzureCall.Run(pipeline, store, async c => (await blob.CommitBlockListAsync(ids, new CommitBlockListOptions
        {
            HttpHeaders = AzureBlobObjectStore.HttpHeaders(put.ContentType, digest, put.ContentHeaders),
            Metadata = AzureMetadataNames.Stored(put.Metadata, put.ContentHeaders),
            Conditions = AzureBlobObjectStore.WriteConditions(put.Conditions),
        }, c)).Value, true, $"commit '{blob.BlobContainerName}/{blob.Name}'", ct);
        return new ObjectInfo
        {
            Key = blob.Name,
            Size = size,
            ETag = Preconditions.Quote(committed.ETag.ToString()),
            LastModified = committed.LastModified,
            ContentType = put.ContentType,
            ContentMd5 = Convert.ToBase64String(digest),
            Metadata = AzureBlobObjectStore.Lowered(put.Metadata),
            ContentHeaders = ContentHeaders.OrNull(put.ContentHeaders),
        };
    }

    /// <summary>Blocks grow with a declared length so any blob up to Azure's limit fits its 50,000 blocks.</summary>
    internal static int BlockSize(AzureBlobStoreOptions options, long contentLength) =>
        contentLength > 0 ? (int)Math.Min(MaxBlockBytes, Math.Max(options.BlockSizeBytes, (contentLength + MaxBlocks - 1) / MaxBlocks)) : options.BlockSizeBytes;

    internal const int MaxBlocks = 50_000;
    internal const int MaxBlockBytes = 2000 * 1024 * 1024;

    async Task<string> StageAsync(string blockId, UploadChunk chunk, CancellationToken ct)
    {
        await AzureCall.Run(pipeline, store, async c => (await blob.StageBlockAsync(blockId, chunk.OpenRead(),
            cancellationToken: c)).Value, true, $"stage a block of '{blob.BlobContainerName}/{blob.Name}'", ct);
        return blockId;
    }
}
