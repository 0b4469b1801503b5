using System.Buffers.Binary;
using Gateway.Channel.Connections;
using Gateway.Channel.Framing;
using Gateway.Channel.Handshake;
using Gateway.Channel.Transport;

namespace Gateway.Channel.Tests;

/// <summary>Issue 12 item 6: credit that would overflow the window is a protocol violation, not a silent stall.</summary>
public class WindowUpdateOverflowTests
{
    [Theory]
    [InlineData(0x7FFFFFFFu)]
    [InlineData(0xFFFFFFFFu)]
    [InlineData(97u)]
    public async Task A_window_update_beyond_the_window_closes_the_connection_with_WindowExceeded(uint credit)
    {
        var (c, hs) = DuplexPipe.CreatePair();
        var hostTask = ChannelConnection.AcceptAsync(hs, new ChannelOptions { LocalKey = TestKeys.Host, PinnedPeers = PeerPins.Of(TestKeys.Gateway.PublicKey) }, default);
        await using var client = await ChannelConnection.ConnectAsync(c, new ChannelOptions { LocalKey = TestKeys.Gateway, PinnedPeers = PeerPins.Of(TestKeys.Host.PublicKey) }, default);
        await using var host = await hostTask;
        var stream = client.OpenStream();
        await stream.SendMessageAsync("call"u8.ToArray(), default);
        var accepted = await host.AcceptStreamAsync(default).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, credit);
        await host.WriteFrameAsync(FrameType.WindowUpdate, 0, accepted!.Id, payload, default);

        await client.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ChannelCloseReason.WindowExceeded, client.CloseError!.Reason);
        // The sender does not wait forever for credit: it learns the connection is gone.
        await Assert.ThrowsAnyAsync<IOException>(() => stream.SendDataAsync(new byte[10], endStream: true, default).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
