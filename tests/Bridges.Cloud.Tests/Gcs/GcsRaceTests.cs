using System.Security.Cryptography;
using Gateway.Bridges.Gcs;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Microsoft.AspNetCore.Http;
using Polly;
using Xunit;

namespace Gateway.Bridges.Cloud.Tests.Gcs;

/// <summary>
/// Reads and copies raced by another writer. A GET whose object is replaced between the request for its metadata and the
/// request for its bytes never serves one generation's bytes under another's metadata (the emulator, like a service
/// ignoring the generation pin, sends whatever is current), and a conditional GET judges the object it actually serves.
/// A copy whose source is replaced before the rewrite, which GCS then refuses with 412 (answered here by the emulator's
/// proxy, since the emulator ignores the pin), copies the current source instead of passing on a condition nobody set.
/// </summary>
public sealed class GcsRaceTests : IAsyncLifetime
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
        Endpoint.Value.AnswerInstead = null;
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

    /// <summary>
    /// Answers the first rewrite from <paramref name="sourceKey"/> as GCS does when a generation pin no longer holds,
    /// after replacing the source with <paramref name="replacement"/> (null: the source is left as it is).
    /// </summary>
    void RefuseTheFirstRewrite(string sourceKey, byte[]? replacement)
    {
        var refused = 0;
        var path = "/o/" + Uri.EscapeDataString(sourceKey) + "/";
        Endpoint.Value.AnswerInstead = async (context, raw) =>
        {
            if (context.Request.Method != "POST" || !raw.Contains(path, StringComparison.Ordinal)
                || !(raw.Contains("/rewriteTo/", StringComparison.Ordinal) || raw.Contains("/copyTo/", StringComparison.Ordinal))) return false;
            if (Interlocked.Exchange(ref refused, 1) != 0) return false;
            if (replacement is not null) await PutAsync(sourceKey, replacement);
            context.Response.StatusCode = 412;
            context.Response.ContentType = "application/json; charset=UTF-8";
            await context.Response.WriteAsync("""{"error":{"code":412,"message":"At least one of the pre-conditions you specified did not hold.","errors":[{"message":"At least one of the pre-conditions you specified did not hold.","domain":"global","reason":"conditionNotMet","locationType":"header","location":"If-Match"}]}}""");
            return true;
        };
    }

    static CopyObjectRequest Copy(string bucket, string from, string to) => new()
    {
        SourceBucket = bucket,
        SourceKey = from,
        TargetBucket = bucket,
        TargetKey = to,
    };

    [Fact]
    public async Task A_copy_whose_source_is_replaced_before_the_rewrite_copies_the_current_source()
    {
        var source = "copy-source-" + Guid.NewGuid().ToString("N")[..8];
        await PutAsync(source, Random(100));
        var replacement = Random(180);
        RefuseTheFirstRewrite(source, replacement);

        var copied = await _store.CopyObjectAsync(Copy(_bucket, source, source + "-copy"), CancellationToken.None);

        Assert.Equal(replacement.Length, copied.Size);
        await using var content = await _store.GetObjectAsync(_bucket, source + "-copy", new GetObjectOptions(), CancellationToken.None);
        Assert.Equal(replacement, await ReadAllAsync(content.Body));
        Assert.Equal(Convert.ToBase64String(MD5.HashData(replacement)), content.Info.ContentMd5);
    }

    [Fact]
    public async Task A_conditional_copy_whose_source_is_replaced_judges_the_current_source()
    {
        var source = "copy-if-match-" + Guid.NewGuid().ToString("N")[..8];
        var original = await PutAsync(source, Random(100));
        RefuseTheFirstRewrite(source, Random(180));

        var refused = await Assert.ThrowsAsync<GatewayException>(() => _store.CopyObjectAsync(
            Copy(_bucket, source, source + "-copy") with { SourceConditions = new ObjectConditions { IfMatch = [original.ETag] } }, CancellationToken.None));
        Assert.Equal(ErrorCode.PreconditionFailed, refused.Code);
        var target = await Assert.ThrowsAsync<GatewayException>(() => _store.HeadObjectAsync(_bucket, source + "-copy", ObjectConditions.None, CancellationToken.None));
        Assert.Equal(ErrorCode.NotFound, target.Code);
    }

    [Fact]
    public async Task A_refused_rewrite_whose_source_did_not_change_is_the_callers_precondition_failure()
    {
        var source = "copy-target-pin-" + Guid.NewGuid().ToString("N")[..8];
        await PutAsync(source, Random(100));
        RefuseTheFirstRewrite(source, replacement: null);

        var refused = await Assert.ThrowsAsync<GatewayException>(() => _store.CopyObjectAsync(
            Copy(_bucket, source, source + "-copy") with { TargetConditions = new ObjectConditions { IfNoneMatch = ["*"] } }, CancellationToken.None));
        Assert.Equal(ErrorCode.PreconditionFailed, refused.Code);
    }
}
