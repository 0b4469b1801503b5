using System.Security.Cryptography;
using Gateway.Channel.Connections;
using Gateway.Channel.Handshake;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Tests;

/// <summary>Issue 12 item 10: one traffic key protects at most 2^21 frames of 64 KiB (TLS 1.3's AES-GCM margin).</summary>
public class RekeyIntervalTests
{
    private static ChannelOptions Options(ulong? rekey = null) => rekey is { } r
        ? new ChannelOptions { LocalKey = TestKeys.Gateway, PinnedPeers = PeerPins.Of(TestKeys.Host.PublicKey), RekeyAfterFrames = r }
        : new ChannelOptions { LocalKey = TestKeys.Gateway, PinnedPeers = PeerPins.Of(TestKeys.Host.PublicKey) };

    [Fact]
    public void The_default_rekey_interval_keeps_one_key_under_2_to_the_33_AES_blocks()
    {
        const ulong blocksPerFrame = 64 * 1024 / 16;
        var frames = Options().RekeyAfterFrames;
        Assert.True(frames <= 1UL << 21, $"rekey after {frames} frames");
        Assert.True(frames * blocksPerFrame <= 1UL << 33);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData((1UL << 21) + 1)]
    [InlineData(1UL << 24)]
    public void A_rekey_interval_beyond_the_margin_is_refused(ulong frames) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Options(frames));

    [Fact]
    public void Smaller_intervals_are_accepted() => Assert.Equal(5UL, Options(5).RekeyAfterFrames);

    /// <summary>
    /// The receiving side enforces the bound too: a peer that sends more frames under one key than the receiver accepts
    /// (here the host's limit is lowered to 40 and the client only rekeys after 1,000) loses the connection.
    /// </summary>
    [Fact]
    public async Task A_peer_that_does_not_update_its_key_in_time_is_cut_off()
    {
        await using var h = ChannelHarness.Create(
            hostOptions: o => o with { ReceiveKeyLimit = 40 },
            clientOptions: o => o with { RekeyAfterFrames = 1000 });
        await h.Store.CreateBucketAsync("bucket-one", default);
        // 8 MiB is 128 DATA frames of 64 KiB from the client, far past the host's 40.
        var put = h.Remote.PutObjectAsync("bucket-one", "k", new MemoryStream(RandomNumberGenerator.GetBytes(8 * 1024 * 1024)), new PutObjectOptions(), default);
        await Assert.ThrowsAnyAsync<Exception>(() => put);
        Assert.True(await h.Logs.WaitForAsync(9602, "without KEY_UPDATE"), h.Logs.Dump());
        var missing = await Assert.ThrowsAsync<GatewayException>(() => h.Store.HeadObjectAsync("bucket-one", "k", ObjectConditions.None, default));
        Assert.Equal(ErrorCode.NotFound, missing.Code);
    }

    /// <summary>A peer that rekeys within the receiver's limit passes far more frames than the limit.</summary>
    [Fact]
    public async Task A_peer_that_updates_its_key_in_time_passes_any_number_of_frames()
    {
        await using var h = ChannelHarness.Create(
            hostOptions: o => o with { ReceiveKeyLimit = 40 },
            clientOptions: o => o with { RekeyAfterFrames = 30 });
        await h.Store.CreateBucketAsync("bucket-one", default);
        var data = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        await h.Remote.PutObjectAsync("bucket-one", "k", new MemoryStream(data), new PutObjectOptions(), default);
        await using var content = await h.Store.GetObjectAsync("bucket-one", "k", new GetObjectOptions(), default);
        var copy = new MemoryStream();
        await content.Body.CopyToAsync(copy);
        Assert.Equal(data, copy.ToArray());
    }
}
