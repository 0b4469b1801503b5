using Gateway.Bridges.Cloud.Tests.S3;
using Gateway.Bridges.Gcs;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Polly;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.Gcs;

/// <summary>
/// Issue 16 item 2: a body of declared length above the buffered single upload and up to ChunkedUploadThresholdBytes
/// goes up as the whole of a resumable session in one streamed request, without the chunk buffer the SDK reads every
/// chunk into; a declared Content-MD5 is checked before the last byte leaves; above the threshold it goes chunk by chunk.
/// Against the emulator directly (it makes a bucket on first upload).
/// </summary>
[Collection(AllocationCounting.Name)]
public sealed class GcsSinglePutTests : IAsyncLifetime
{
    const int Mib = 1024 * 1024;
    readonly string _bucket = "single-put-" + Guid.NewGuid().ToString("N")[..12];

    public Task InitializeAsync()
    {
        CloudBackends.EnsureAnswers("gcs", CloudBackends.GcsEndpoint + "/storage/v1/b/ready-check/o");
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    static GcsStoreOptions Emulator() => new() { Endpoint = CloudBackends.GcsEndpoint, Anonymous = true };

    static GcsObjectStore Store(GcsStoreOptions options) => new("single-put-test", options, ResiliencePipeline.Empty);

    [Fact]
    public async Task A_body_above_the_buffered_threshold_goes_up_whole_with_its_md5()
    {
        var store = Store(Emulator());
        var body = SinglePut.Body(20 * Mib);
        var put = await store.PutObjectAsync(_bucket, "big.bin", new ForwardOnly(body), new PutObjectOptions { ContentLength = body.Length, ContentMd5 = SinglePut.Md5(body) }, CancellationToken.None);

        Assert.Equal(SinglePut.Md5(body), put.ContentMd5);
        Assert.Equal(body.Length, put.Size);
        var head = await store.HeadObjectAsync(_bucket, "big.bin", new ObjectConditions(), CancellationToken.None);
        Assert.Equal(SinglePut.Md5(body), head.ContentMd5);
        Assert.Equal(SinglePut.Md5(body), SinglePut.Md5(await SinglePut.ReadAsync(store, _bucket, "big.bin")));
    }

    [Fact]
    public async Task A_bad_content_md5_stores_nothing()
    {
        var store = Store(Emulator());
        await SinglePut.BadDigestStoresNothingAsync(store, _bucket, 20 * Mib);
    }

    [Fact]
    public async Task A_body_above_the_chunked_threshold_still_goes_up_chunk_by_chunk()
    {
        var options = Emulator();
        options.ChunkedUploadThresholdBytes = 16 * Mib;
        options.ChunkBytes = 4 * Mib;
        var store = Store(options);
        var body = SinglePut.Body(18 * Mib);
        var put = await store.PutObjectAsync(_bucket, "chunks.bin", new ForwardOnly(body), new PutObjectOptions { ContentLength = body.Length }, CancellationToken.None);

        Assert.Equal(SinglePut.Md5(body), put.ContentMd5);
        Assert.Equal(SinglePut.Md5(body), SinglePut.Md5(await SinglePut.ReadAsync(store, _bucket, "chunks.bin")));
    }

    [Fact]
    public async Task A_streamed_put_holds_no_chunk_of_the_body_in_memory()
    {
        var store = Store(Emulator());
        // The SDK's chunked upload reads each chunk whole into an array of ChunkBytes (8 MiB).
        await SinglePut.PutAllocatingLessThanAsync(store, _bucket, warm: 9 * Mib, size: 64L * Mib, limit: 4L * Mib);
    }
}
