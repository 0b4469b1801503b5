using System.Security.Cryptography;
using Gateway.Bridges.Gcs;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Polly;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.Gcs;

/// <summary>
/// A GET whose object is replaced between the request for its metadata and the request for its bytes: the bridge never
/// serves one generation's bytes under another's metadata (the emulator, like a service ignoring the generation pin,
/// sends whatever is current), and a conditional GET judges the object it actually serves.
/// </summary>
public sealed class GcsRacedReadTests : IAsyncLifetime
{
    static readonly Lazy<GcsTestEndpoint> Endpoint = new(() =>
        GcsTestEndpoint.StartAsync(CloudBackends.GcsEndpoint, new GcsApiFront(CloudBackends.GcsEndpoint, CloudBackends.GcsProject)).GetAwaiter().GetResult());

    readonly string _bucket = "raced-" + Guid.NewGuid().ToString("N")[..12];
    GcsObjectStore _store = null!;

    public async Task InitializeAsync()
    {
        CloudBackends.EnsureAnswers("gcs", CloudBackends.GcsEndpoint + "/storage/v1/b/ready-check/o");
        _store = new GcsObjectStore("raced-test", new GcsStoreOptions { Endpoint = Endpoint.Value.Url, ProjectId = CloudBackends.GcsProject, Anonymous = true }, ResiliencePipeline.Empty);
        await _store.CreateBucketAsync(_bucket, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        Endpoint.Value.BeforeForward = null;
        Endpoint.Value.AfterForward = null;
        return Task.CompletedTask;
    }

    static byte[] Random(int size)
    {
        var bytes = new byte[size];
        System.Random.Shared.NextBytes(bytes);
        return bytes;
    }

    async Task<ObjectInfo> PutAsync(string key, byte[] body) =>
        await _store.PutObjectAsync(_bucket, key, new MemoryStream(body), new PutObjectOptions { ContentLength = body.Length }, CancellationToken.None);

    /// <summary>
    /// Holds the first media request for <paramref name="key"/> until its metadata request (if one is made) has been
    /// answered, then replaces the object with <paramref name="replacement"/> and lets the media request go on.
    /// </summary>
    void ReplaceBeforeTheFirstBytes(string key, byte[] replacement, bool waitForMetadata)
    {
        var metadataAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = 0;
        var path = "/o/" + Uri.EscapeDataString(key);
        Endpoint.Value.AfterForward = (method, raw) =>
        {
            if (method == "GET" && raw.Contains(path, StringComparison.Ordinal) && !raw.Contains("alt=media", StringComparison.Ordinal))
                metadataAnswered.TrySetResult();
        };
        Endpoint.Value.BeforeForward = async (method, raw) =>
        {
            if (method != "GET" || !raw.Contains(path, StringComparison.Ordinal) || !raw.Contains("alt=media", StringComparison.Ordinal)) return;
            if (Interlocked.Exchange(ref held, 1) != 0) return;
            if (waitForMetadata) await metadataAnswered.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await PutAsync(key, replacement);
        };
    }

    static async Task<byte[]> ReadAllAsync(Stream body)
    {
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Theory]
    [InlineData(100, 250)]
    [InlineData(100, 100)]
    public async Task A_get_raced_by_a_replacement_serves_bytes_and_metadata_of_one_generation(int firstSize, int secondSize)
    {
        var key = "race " + Guid.NewGuid().ToString("N")[..8];
        var first = Random(firstSize);
        var second = Random(secondSize);
        await PutAsync(key, first);
        ReplaceBeforeTheFirstBytes(key, second, waitForMetadata: true);

        await using var content = await _store.GetObjectAsync(_bucket, key, new GetObjectOptions(), CancellationToken.None);
        var bytes = await ReadAllAsync(content.Body);

        Assert.Equal(second, bytes);
        Assert.Equal(second.Length, content.Info.Size);
        Assert.Equal(Convert.ToBase64String(MD5.HashData(second)), content.Info.ContentMd5);
    }

    [Fact]
    public async Task A_conditional_get_raced_by_a_replacement_judges_the_object_it_would_serve()
    {
        var key = "race-if-match-" + Guid.NewGuid().ToString("N")[..8];
        var original = await PutAsync(key, Random(100));
        ReplaceBeforeTheFirstBytes(key, Random(300), waitForMetadata: false);

        var refused = await Assert.ThrowsAsync<GatewayException>(() => _store.GetObjectAsync(_bucket, key,
            new GetObjectOptions { Conditions = new ObjectConditions { IfMatch = [original.ETag] } }, CancellationToken.None));
        Assert.Equal(ErrorCode.PreconditionFailed, refused.Code);
    }
}
