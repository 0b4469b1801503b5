using Xunit;
using System.Security.Cryptography;
using Gateway.Bridges.Gcs;
using Gateway.Contracts.ObjectStorage;
using Polly;

namespace Gateway.Bridges.Cloud.Tests.Gcs;

/// <summary>
/// The GCS bridge's GET as one streamed media request (issue 16 item 2): ranges and suffix ranges give exactly their
/// bytes, a whole object arrives checked, and a reader that stops early ends the download on the wire.
/// </summary>
public sealed class GcsMediaDownloadTests : IAsyncLifetime
{
    static readonly Lazy<GcsTestEndpoint> Endpoint = new(() =>
        GcsTestEndpoint.StartAsync(CloudBackends.GcsEndpoint, new GcsApiFront(CloudBackends.GcsEndpoint, CloudBackends.GcsProject)).GetAwaiter().GetResult());

    readonly string _bucket = "media-" + Guid.NewGuid().ToString("N")[..12];
    GcsObjectStore _store = null!;

    public async Task InitializeAsync()
    {
        CloudBackends.EnsureAnswers("gcs", CloudBackends.GcsEndpoint + "/storage/v1/b/ready-check/o");
        _store = new GcsObjectStore("media-test", new GcsStoreOptions { Endpoint = Endpoint.Value.Url, ProjectId = CloudBackends.GcsProject, Anonymous = true }, ResiliencePipeline.Empty);
        await _store.CreateBucketAsync(_bucket, CancellationToken.None);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    static byte[] Random(int size)
    {
        var bytes = new byte[size];
        System.Random.Shared.NextBytes(bytes);
        return bytes;
    }

    async Task PutAsync(string key, byte[] body) =>
        await _store.PutObjectAsync(_bucket, key, new MemoryStream(body), new PutObjectOptions { ContentLength = body.Length }, CancellationToken.None);

    static async Task<byte[]> ReadAllAsync(Stream body)
    {
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task Ranged_and_suffix_gets_return_exactly_their_bytes_and_the_whole_object_metadata()
    {
        var body = Random(3 * 1024 * 1024 + 17);
        await PutAsync("ranged.bin", body);

        await using (var part = await _store.GetObjectAsync(_bucket, "ranged.bin", new GetObjectOptions { Range = new ByteRange(1000, 1000 + 1024 * 1024 - 1, null) }, CancellationToken.None))
        {
            Assert.True(part.IsPartial);
            Assert.Equal(1000, part.Offset);
            Assert.Equal(1024 * 1024, part.Length);
            Assert.Equal(body.Length, part.Info.Size);
            Assert.Equal(body.AsSpan(1000, 1024 * 1024).ToArray(), await ReadAllAsync(part.Body));
        }
        await using (var tail = await _store.GetObjectAsync(_bucket, "ranged.bin", new GetObjectOptions { Range = new ByteRange(null, null, 500) }, CancellationToken.None))
        {
            Assert.Equal(body.Length - 500, tail.Offset);
            Assert.Equal(body.AsSpan(body.Length - 500).ToArray(), await ReadAllAsync(tail.Body));
        }
        await using var whole = await _store.GetObjectAsync(_bucket, "ranged.bin", new GetObjectOptions(), CancellationToken.None);
        Assert.False(whole.IsPartial);
        Assert.Equal(Convert.ToBase64String(MD5.HashData(body)), whole.Info.ContentMd5);
        Assert.Equal(body, await ReadAllAsync(whole.Body));
    }

    [Fact]
    public async Task A_reader_that_stops_early_ends_the_download()
    {
        var key = "early-" + Guid.NewGuid().ToString("N")[..8] + ".bin";
        await PutAsync(key, Random(32 * 1024 * 1024));

        var content = await _store.GetObjectAsync(_bucket, key, new GetObjectOptions(), CancellationToken.None);
        var first = new byte[64 * 1024];
        await content.Body.ReadExactlyAsync(first);
        await content.DisposeAsync();

        // The proxy in front of the emulator sees the store's connection go before the body's end.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Endpoint.Value.WaitForAbortedAsync(key, timeout.Token);
    }
}
