using System.Security.Cryptography;
using Gateway.Channel.Framing;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Tests;

/// <summary>A man in the middle alters host-bound frames; the host must close the connection and release nothing.</summary>
public class FrameSecurityTests
{
    private static async Task<ChannelHarness> WithBucketAsync(Func<RelayFrame, IEnumerable<byte[]>> mutate, Func<RelayFrame, bool> armed)
    {
        var h = ChannelHarness.Create(relay: true);
        await h.Remote.CreateBucketAsync("bucket-one", default);
        h.Relay!.Mutate = f => armed(f) ? mutate(f) : [f.Bytes];
        return h;
    }

    private static async Task AssertRejectedAsync(ChannelHarness h, ChannelCloseReason reason, string key = "k.bin")
    {
        var e = await Assert.ThrowsAsync<GatewayException>(() =>
            h.Remote.PutObjectAsync("bucket-one", key, new MemoryStream(RandomNumberGenerator.GetBytes(300_000)), new PutObjectOptions(), default));
        Assert.Equal(ErrorCode.Unavailable, e.Code);
        Assert.True(await h.Logs.WaitForAsync(9602, $"({reason})"), h.Logs.Dump());
        // Nothing was stored and nothing was audited beyond the bucket creation.
        await Assert.ThrowsAsync<GatewayException>(() => h.Store.HeadObjectAsync("bucket-one", key, ObjectConditions.None, default));
        Assert.Single(await h.Audit.ReadAsync(0, 10, default));
    }

    private static bool HostBoundData(RelayFrame f) => f.ToHost && f.Header.Type == FrameType.Data && f.Header.Length > 0;

    [Fact]
    public async Task Tampered_ciphertext_closes_the_connection()
    {
        await using var h = await WithBucketAsync(f => { var b = f.Bytes.ToArray(); b[FrameHeader.Size + 10] ^= 0x80; return [b]; }, HostBoundData);
        await AssertRejectedAsync(h, ChannelCloseReason.AuthenticationFailed);
    }

    [Fact]
    public async Task Tampered_header_closes_the_connection()
    {
        // Flip a flag bit: the frame still parses, but the header is GCM associated data.
        await using var h = await WithBucketAsync(f => { var b = f.Bytes.ToArray(); b[4] ^= FrameFlags.EndStream; return [b]; }, HostBoundData);
        await AssertRejectedAsync(h, ChannelCloseReason.AuthenticationFailed);
    }

    [Fact]
    public async Task A_replayed_frame_closes_the_connection()
    {
        await using var h = await WithBucketAsync(f => [f.Bytes, f.Bytes], HostBoundData);
        await AssertRejectedAsync(h, ChannelCloseReason.Replayed);
    }

    [Fact]
    public async Task A_reordered_frame_closes_the_connection()
    {
        byte[]? held = null;
        await using var h = await WithBucketAsync(f =>
        {
            if (held is null) { held = f.Bytes; return []; }
            return [f.Bytes, held];
        }, HostBoundData);
        await AssertRejectedAsync(h, ChannelCloseReason.Reordered);
    }

    [Fact]
    public async Task An_oversized_frame_closes_the_connection()
    {
        await using var h = await WithBucketAsync(f =>
        {
            var b = f.Bytes.ToArray();
            b[0] = 0x01; b[1] = 0x00; b[2] = 0x01; // declares 65537 bytes
            return [b];
        }, HostBoundData);
        await AssertRejectedAsync(h, ChannelCloseReason.Oversized);
    }

    [Fact]
    public async Task A_forged_frame_injected_mid_stream_closes_the_connection()
    {
        var injected = false;
        await using var h = await WithBucketAsync(f =>
        {
            if (injected) return [f.Bytes];
            injected = true;
            var forged = new byte[FrameHeader.Size + 100 + FrameHeader.TagSize];
            new FrameHeader(100, FrameType.Data, 0, f.Header.StreamId, f.Header.Sequence).Write(forged);
            RandomNumberGenerator.Fill(forged.AsSpan(FrameHeader.Size));
            return [forged];
        }, HostBoundData);
        await AssertRejectedAsync(h, ChannelCloseReason.AuthenticationFailed);
    }
}
