using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Gateway.Bridges.AzureBlob;
using Gateway.Bridges.Cloud.Tests.S3;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Polly;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.AzureBlob;

/// <summary>
/// Issue 16 item 2: a body of declared length above the buffered single upload and up to BlockUploadThresholdBytes
/// streams as one Put Blob, as the SDK's own upload of a seekable stream of that size does, holding none of it in
/// memory and checking its Content-MD5 before the last block leaves; above the threshold it still goes up as blocks.
/// </summary>
[Collection(AllocationCounting.Name)]
public sealed class AzureSinglePutTests : IAsyncLifetime
{
    const int Mib = 1024 * 1024;
    readonly string _bucket = "single-put-" + Guid.NewGuid().ToString("N")[..12];

    public Task InitializeAsync()
    {
        CloudBackends.EnsureAnswers("azurite", CloudBackends.AzuriteEndpoint + "?comp=list");
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    static AzureBlobStoreOptions Azurite() => new()
    {
        ServiceUri = CloudBackends.AzuriteEndpoint,
        AccountName = CloudBackends.AzuriteAccount,
        AccountKey = CloudBackends.AzuriteKey,
    };

    async Task<AzureBlobObjectStore> StoreAsync(AzureBlobStoreOptions options)
    {
        var store = new AzureBlobObjectStore("single-put-test", options, ResiliencePipeline.Empty);
        await store.CreateBucketAsync(_bucket, CancellationToken.None);
        return store;
    }

    /// <summary>What the blob's committed block list says: a Put Blob commits none, a block upload one per block.</summary>
    async Task<int> CommittedBlocksAsync(string key)
    {
        var blob = AzureBlobObjectStore.CreateClient(Azurite()).GetBlobContainerClient(_bucket).GetBlockBlobClient(key);
        var list = await blob.GetBlockListAsync(BlockListTypes.Committed);
        return list.Value.CommittedBlocks.Count();
    }

    [Fact]
    public async Task A_body_above_the_buffered_threshold_goes_up_as_one_put_blob()
    {
        var store = await StoreAsync(Azurite());
        var body = SinglePut.Body(24 * Mib);
        var put = await store.PutObjectAsync(_bucket, "big.bin", new ForwardOnly(body), new PutObjectOptions { ContentLength = body.Length }, CancellationToken.None);

        Assert.Equal(SinglePut.Md5(body), put.ContentMd5);
        Assert.Equal(0, await CommittedBlocksAsync("big.bin"));
        var head = await store.HeadObjectAsync(_bucket, "big.bin", new ObjectConditions(), CancellationToken.None);
        Assert.Equal(body.Length, head.Size);
        Assert.Equal(SinglePut.Md5(body), head.ContentMd5); // Azure keeps the MD5 it computed for a Put Blob that declared none
        Assert.Equal(put.ETag, head.ETag);
        Assert.Equal(SinglePut.Md5(body), SinglePut.Md5(await SinglePut.ReadAsync(store, _bucket, "big.bin")));
    }

    [Fact]
    public async Task A_declared_content_md5_is_kept_and_a_bad_one_stores_nothing()
    {
        var store = await StoreAsync(Azurite());
        await SinglePut.BadDigestStoresNothingAsync(store, _bucket, 20 * Mib);

        var body = SinglePut.Body(20 * Mib);
        var put = await store.PutObjectAsync(_bucket, "kept.bin", new ForwardOnly(body),
            new PutObjectOptions { ContentLength = body.Length, ContentMd5 = SinglePut.Md5(body) }, CancellationToken.None);
        Assert.Equal(SinglePut.Md5(body), put.ContentMd5);
        Assert.Equal(SinglePut.Md5(body), (await store.HeadObjectAsync(_bucket, "kept.bin", new ObjectConditions(), CancellationToken.None)).ContentMd5);
    }

    [Fact]
    public async Task A_create_only_put_of_an_existing_blob_fails_with_412_and_keeps_it()
    {
        var store = await StoreAsync(Azurite());
        var first = SinglePut.Body(20 * Mib);
        await store.PutObjectAsync(_bucket, "once.bin", new ForwardOnly(first),
            new PutObjectOptions { ContentLength = first.Length, Conditions = new ObjectConditions { IfNoneMatch = ["*"] } }, CancellationToken.None);
        var second = SinglePut.Body(20 * Mib);

        var e = await Assert.ThrowsAsync<GatewayException>(() => store.PutObjectAsync(_bucket, "once.bin", new ForwardOnly(second),
            new PutObjectOptions { ContentLength = second.Length, Conditions = new ObjectConditions { IfNoneMatch = ["*"] } }, CancellationToken.None));
        Assert.Equal(ErrorCode.PreconditionFailed, e.Code);
        Assert.Equal(SinglePut.Md5(first), SinglePut.Md5(await SinglePut.ReadAsync(store, _bucket, "once.bin")));
    }

    [Fact]
    public async Task A_body_above_the_block_threshold_still_goes_up_as_blocks()
    {
        var options = Azurite();
        options.BlockUploadThresholdBytes = 20 * Mib;
        var store = await StoreAsync(options);
        var body = SinglePut.Body(24 * Mib);
        var put = await store.PutObjectAsync(_bucket, "blocks.bin", new ForwardOnly(body), new PutObjectOptions { ContentLength = body.Length }, CancellationToken.None);

        Assert.Equal(SinglePut.Md5(body), put.ContentMd5);
        Assert.Equal(6, await CommittedBlocksAsync("blocks.bin")); // 4 MiB blocks
        Assert.Equal(SinglePut.Md5(body), SinglePut.Md5(await SinglePut.ReadAsync(store, _bucket, "blocks.bin")));
    }

    [Fact]
    public async Task A_single_put_blob_does_not_hold_the_body_in_memory()
    {
        var store = await StoreAsync(Azurite());
        await SinglePut.PutAllocatingLessThanAsync(store, _bucket, warm: 17 * Mib, size: 160L * Mib, limit: 32L * Mib);
        Assert.Equal(0, await CommittedBlocksAsync("huge.bin"));
    }

    /// <summary>
    /// The largest body the default threshold sends as one Put Blob. The SDK's BlockBlobClient.Upload sends one Put Blob
    /// only below its own single-upload threshold (also 256 MiB unless told otherwise): at it, it staged the body as
    /// 8 MiB blocks, five at a time, each copied into buffers from ArrayPool.Shared, which kept them (issue 16: 68 MiB
    /// allocated in this test, +65 MB of the storage-cloud suite's peak at 256 MiB).
    /// </summary>
    [Fact]
    public async Task A_body_at_the_block_threshold_goes_up_as_one_put_blob_without_buffering()
    {
        var options = Azurite();
        var store = await StoreAsync(options);
        await SinglePut.PutAllocatingLessThanAsync(store, _bucket, warm: 17 * Mib, size: options.BlockUploadThresholdBytes, limit: 32L * Mib);
        Assert.Equal(256L * Mib, options.BlockUploadThresholdBytes);
        Assert.Equal(0, await CommittedBlocksAsync("huge.bin"));
    }
}
