using Gateway.Channel.Connections;
using Gateway.Channel.Handshake;

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
}
