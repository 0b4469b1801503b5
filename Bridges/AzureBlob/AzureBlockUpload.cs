using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Gateway.Contracts.ObjectStorage;
using Polly;

namespace Gateway.Bridges.AzureBlob;

/// <summary>
/// One block-blob upload with bounded memory: blocks of BlockSizeBytes, at most MaxParallelBlocks staged at once,
/// then one block-list commit. The whole-object MD5 is checked before the commit; an upload that fails before it
/// leaves only uncommitted blocks, which are invisible and which the service discards.
/// </summary>
sealed class AzureBlockUpload(BlockBlobClient blob, ResiliencePipeline pipeline, AzureBlobStoreOptions options, string store, ArrayPool<byte> buffers)
{
    public async Task<ObjectInfo> RunAsync(Stream content, PutObjectOptions put, CancellationToken ct)
    {
        // Block ids are unique per upload, so concurrent uploads of the same blob cannot mix their blocks.
        var uploadId = Guid.NewGuid().ToString("N");
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        using var slots = new SemaphoreSlim(options.MaxParallelBlocks);
        var blocks = new List<Task<string>>();
        long size = 0;
        var blockSize = BlockSize(options, put.ContentLength);
        try
        {
            for (var index = 0; ; index++)
            {
                await slots.WaitAsync(failed.Token);
                var buffer = buffers.Rent(blockSize);
                int length;
                try
                {
                    length = await content.ReadAtLeastAsync(buffer.AsMemory(0, blockSize), blockSize, throwOnEndOfStream: false, failed.Token);
                }
                catch
                {
                    buffers.Return(buffer);
                    slots.Release();
                    throw;
                }
                if (length == 0 && index > 0)
                {
                    buffers.Return(buffer);
                    slots.Release();
                    break;
                }
                md5.AppendData(buffer, 0, length);
                size += length;
                var blockId = Convert.ToBase64String(Encoding.ASCII.GetBytes($"{uploadId}-{index:D6}"));
                blocks.Add(StageAsync(blockId, buffer, length, slots, failed));
                if (length < blockSize) break;
            }
            var ids = await Task.WhenAll(blocks);
            var digest = md5.GetHashAndReset();
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
        catch
        {
            await failed.CancelAsync();
            // Let staged blocks finish or stop before their buffers go back to the pool.
            try { await Task.WhenAll(blocks); } catch (Exception) { /* the first failure is what the caller needs */ }
            throw;
        }
    }

    /// <summary>Blocks grow with a declared length so any blob up to Azure's limit fits its 50,000 blocks.</summary>
    internal static int BlockSize(AzureBlobStoreOptions options, long contentLength) =>
        contentLength > 0 ? (int)Math.Min(MaxBlockBytes, Math.Max(options.BlockSizeBytes, (contentLength + MaxBlocks - 1) / MaxBlocks)) : options.BlockSizeBytes;

    internal const int MaxBlocks = 50_000;
    internal const int MaxBlockBytes = 2000 * 1024 * 1024;

    async Task<string> StageAsync(string blockId, byte[] buffer, int length, SemaphoreSlim slots, CancellationTokenSource failed)
    {
        try
        {
            await AzureCall.Run(pipeline, store, async c => (await blob.StageBlockAsync(blockId, new MemoryStream(buffer, 0, length, writable: false), cancellationToken: c)).Value,
                true, $"stage a block of '{blob.BlobContainerName}/{blob.Name}'", failed.Token);
            return blockId;
        }
        catch
        {
            await failed.CancelAsync();
            throw;
        }
        finally
        {
            buffers.Return(buffer);
            slots.Release();
        }
    }
}
