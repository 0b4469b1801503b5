using System.Security.Cryptography;
using Gateway.Channel.Framing;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Tests;

public class WitnessTests
{
    private static readonly byte[] Data = RandomNumberGenerator.GetBytes(700_000);

    private static async Task<ChannelHarness> WithObjectAsync(Action<Rpc.ChannelHost>? configure = null, bool relay = false, Action<FrameRelay>? configureRelay = null)
    {
        var h = ChannelHarness.Create(relay: relay, configureRelay: configureRelay);
        await h.Store.CreateBucketAsync("bucket-one", default);
        await h.Store.PutObjectAsync("bucket-one", "obj", new MemoryStream(Data), new PutObjectOptions(), default);
        configure?.Invoke(h.Host);
        return h;
    }

    /// <summary>Reads a streamed body; returns the bytes and the exception that ended it (null when it ended normally).</summary>
    private static async Task<(byte[] Bytes, Exception? Error)> DrainAsync(Stream body)
    {
        var copy = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await body.ReadAsync(buffer)) > 0) copy.Write(buffer, 0, n);
            return (copy.ToArray(), null);
        }
        catch (Exception e) { return (copy.ToArray(), e); }
    }

    private static async Task AssertStreamedGetFailsAsync(ChannelHarness h, WitnessFailure reason)
    {
        await using var content = await h.Remote.GetObjectAsync("bucket-one", "obj", new GetObjectOptions(), default);
        var (bytes, error) = await DrainAsync(content.Body);
        var failure = Assert.IsType<WitnessFailedException>(error);
        Assert.Equal(reason, failure.Reason);
        Assert.Equal(ErrorCode.WitnessFailed, failure.Code);
        // The body never "ends": a second read throws too.
        await Assert.ThrowsAsync<WitnessFailedException>(async () => _ = await content.Body.ReadAsync(new byte[10]));
        Assert.Empty(await h.Audit.ReadAsync(0, 10, default));
        Assert.True(h.Logs.Has(9603, $"({reason})"), h.Logs.Dump());
        // The last byte is held back until the witness verifies, so no reader ever holds the whole body.
        Assert.True(bytes.Length < Data.Length);
    }

    private static async Task AssertBufferedCallFailsAsync(ChannelHarness h, WitnessFailure reason)
    {
        var e = await Assert.ThrowsAsync<WitnessFailedException>(() => h.Remote.HeadObjectAsync("bucket-one", "obj", ObjectConditions.None, default));
        Assert.Equal(reason, e.Reason);
        Assert.Equal(502, e.Code.HttpStatus());
        Assert.Equal("witness-failed", e.Code.Slug());
    }

    [Fact]
    public async Task A_verified_witness_is_audited_and_describes_the_call()
    {
        await using var h = await WithObjectAsync();
        await using (var content = await h.Remote.GetObjectAsync("bucket-one", "obj", new GetObjectOptions(), default))
        {
            var (bytes, error) = await DrainAsync(content.Body);
            Assert.Null(error);
            Assert.Equal(Data, bytes);
        }
        var entry = Assert.Single(await h.Audit.ReadAsync(0, 10, default));
        var w = Witness.Decode(entry.Witness);
        Assert.Equal("object-storage.get-object", w.Operation);
        Assert.Equal("local/bucket-one/obj", w.Target);
        Assert.Equal("ok", w.Status);
        Assert.Equal(SHA256.HashData(Data), w.ResponseBodySha256);
        Assert.Equal(SHA256.HashData(Array.Empty<byte>()), w.RequestBodySha256);
        Assert.Equal(h.Client.Connection!.TranscriptHash, w.TranscriptHash);
        Assert.True(w.VerifySignature(TestKeys.Host.PublicKey));
        Assert.True(w.CompletedAt >= w.StartedAt);
    }

    [Fact]
    public async Task Witnesses_chain_to_their_predecessor()
    {
        await using var h = await WithObjectAsync();
        await h.Remote.HeadObjectAsync("bucket-one", "obj", ObjectConditions.None, default);
        await h.Remote.HeadObjectAsync("bucket-one", "obj", ObjectConditions.None, default);
        var entries = await h.Audit.ReadAsync(0, 10, default);
        var first = Witness.Decode(entries[0].Witness);
        var second = Witness.Decode(entries[1].Witness);
        Assert.Equal(first.Hash(), second.PreviousWitnessHash);
    }

    [Fact]
    public async Task Missing_witness_fails_a_streamed_get()
    {
        await using var h = await WithObjectAsync(host => host.OmitWitness = true);
        await AssertStreamedGetFailsAsync(h, WitnessFailure.Missing);
    }

    [Fact]
    public async Task Missing_witness_fails_a_buffered_call()
    {
        await using var h = await WithObjectAsync(host => host.OmitWitness = true);
        await AssertBufferedCallFailsAsync(h, WitnessFailure.Missing);
    }

    [Fact]
    public async Task A_validly_signed_witness_for_another_request_is_refused()
    {
        var signer = new WitnessSigner(TestKeys.Host);
        await using var h = await WithObjectAsync(host => host.TamperWitness = w => signer.Sign(w with { RequestId = "someone-else" }));
        await AssertStreamedGetFailsAsync(h, WitnessFailure.ForeignRequest);
    }

    [Fact]
    public async Task A_forged_witness_is_refused()
    {
        // Digest changed after signing: the signature no longer holds.
        await using var h = await WithObjectAsync(host => host.TamperWitness = w => w with { ResponseBodySha256 = SHA256.HashData("forged"u8) });
        await AssertStreamedGetFailsAsync(h, WitnessFailure.BadSignature);
    }

    [Fact]
    public async Task A_witness_signed_by_another_key_is_refused()
    {
        var stranger = new WitnessSigner(TestKeys.Stranger);
        await using var h = await WithObjectAsync(host => host.TamperWitness = stranger.Sign);
        await AssertBufferedCallFailsAsync(h, WitnessFailure.BadSignature);
    }

    [Fact]
    public async Task A_witness_that_lies_about_the_body_is_refused()
    {
        var signer = new WitnessSigner(TestKeys.Host);
        await using var h = await WithObjectAsync(host => host.TamperWitness = w => signer.Sign(w with { ResponseBodySha256 = SHA256.HashData("other"u8) }));
        await AssertStreamedGetFailsAsync(h, WitnessFailure.DigestMismatch);
    }

    [Fact]
    public async Task A_truncated_stream_is_never_taken_for_a_complete_body()
    {
        var forwarded = 0;
        await using var h = await WithObjectAsync(relay: true, configureRelay: r => r.Mutate = f =>
        {
            if (!f.ToHost && f.Header.Type == FrameType.Data && f.Header.Length > 0 && ++forwarded > 3) throw new IOException("cut");
            return [f.Bytes];
        });
        await using var content = await h.Remote.GetObjectAsync("bucket-one", "obj", new GetObjectOptions(), default);
        var (bytes, error) = await DrainAsync(content.Body);
        Assert.IsAssignableFrom<IOException>(error);
        Assert.True(bytes.Length < Data.Length);
        Assert.Empty(await h.Audit.ReadAsync(0, 10, default));
    }

    [Fact]
    public async Task A_host_killed_mid_stream_fails_that_call_and_the_next_call_reconnects()
    {
        await using var h = ChannelHarness.Create(tcp: true);
        await h.Store.CreateBucketAsync("bucket-one", default);
        var big = RandomNumberGenerator.GetBytes(16 * 1024 * 1024);
        await h.Store.PutObjectAsync("bucket-one", "big", new MemoryStream(big), new PutObjectOptions(), default);
        var killed = new TaskCompletionSource();
        h.Host.BeforeResponseChunk = async sent =>
        {
            if (sent >= 2 * 1024 * 1024 && !killed.Task.IsCompleted)
            {
                killed.TrySetResult();
                _ = h.KillHostAsync();
                await Task.Yield();
            }
        };
        await using (var content = await h.Remote.GetObjectAsync("bucket-one", "big", new GetObjectOptions(), default))
        {
            var (bytes, error) = await DrainAsync(content.Body);
            Assert.NotNull(error);
            Assert.IsAssignableFrom<IOException>(error);
            Assert.True(bytes.Length < big.Length);
        }
        Assert.True(killed.Task.IsCompleted);
        Assert.Equal(ErrorCode.Unavailable, (await Assert.ThrowsAsync<GatewayException>(() => h.Remote.ListBucketsAsync(default))).Code);

        h.Host.BeforeResponseChunk = null;
        h.StartListening(h.Port);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        IReadOnlyList<BucketInfo>? buckets = null;
        while (buckets is null && DateTime.UtcNow < deadline)
        {
            try { buckets = await h.Remote.ListBucketsAsync(default); }
            catch (GatewayException e) when (e.Code == ErrorCode.Unavailable) { await Task.Yield(); }
        }
        Assert.NotNull(buckets);
        Assert.Contains(buckets!, b => b.Name == "bucket-one");
    }
}
