using System.Security.Cryptography;
using Gateway.Channel.Connections;
using Gateway.Channel.Framing;
using Gateway.Channel.Handshake;
using Gateway.Channel.Transport;

namespace Gateway.Channel.Tests;

/// <summary>The sender's own limit on uncredited DATA frames (<see cref="ChannelOptions.SendWindow"/>), on a real connection.</summary>
public class SendWindowTests
{
    private static async Task<(ChannelConnection Client, ChannelConnection Host)> ConnectAsync(int sendWindow)
    {
        var (c, h) = DuplexPipe.CreatePair();
        var host = ChannelConnection.AcceptAsync(h, new ChannelOptions { LocalKey = TestKeys.Host, PinnedPeers = PeerPins.Of(TestKeys.Gateway.PublicKey) }, default);
        var client = await ChannelConnection.ConnectAsync(c, new ChannelOptions
        {
            LocalKey = TestKeys.Gateway, PinnedPeers = PeerPins.Of(TestKeys.Host.PublicKey), SendWindow = sendWindow,
        }, default);
        return (client, await host);
    }

    /// <summary>Polls a condition (with a deadline) that another task makes true.</summary>
    internal static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting until {what}.");
            await Task.Delay(2);
        }
    }

    [Theory]
    [InlineData(ChannelOptions.MinSendWindow)]
    [InlineData(ChannelOptions.DefaultSendWindow)]
    [InlineData(ChannelOptions.MaxSendWindow)]
    public async Task A_sender_keeps_no_more_frames_in_flight_than_its_send_window(int sendWindow)
    {
        var (client, host) = await ConnectAsync(sendWindow);
        await using var _ = client;
        await using var __ = host;
        var data = RandomNumberGenerator.GetBytes(4 * ChannelConnection.StreamWindow * FrameHeader.MaxPayload);
        var sending = client.OpenStream();
        await sending.SendMessageAsync("go"u8.ToArray(), default);
        var send = Task.Run(async () => await sending.SendDataAsync(data, endStream: true, default));
        var receiving = (await host.AcceptStreamAsync(default).AsTask().WaitAsync(TimeSpan.FromSeconds(30)))!;
        Assert.Equal("go"u8.ToArray(), await receiving.ReadMessageAsync(default));

        // The receiver reads nothing: the sender stops at its window, and exactly that many frames reached the receiver.
        await UntilAsync(() => sending.SendCredit.AwaitingCredit && receiving.ReceivedUncredited == sendWindow,
            $"the sender waits for credit with {sendWindow} frames at the receiver (sender in flight {sending.SendCredit.InFlight}, receiver holds {receiving.ReceivedUncredited})");
        Assert.Equal(sendWindow, sending.SendCredit.InFlight);
        Assert.False(send.IsCompleted);

        // Read slowly, one frame at a time: the receiver never holds more than the window, and the body arrives whole.
        var buffer = new byte[FrameHeader.MaxPayload];
        using var copy = new MemoryStream();
        var most = 0;
        int n;
        while ((n = await receiving.ReadDataAsync(buffer, default)) > 0)
        {
            copy.Write(buffer, 0, n);
            most = Math.Max(most, receiving.ReceivedUncredited);
            Assert.True(sending.SendCredit.InFlight <= sendWindow, $"sender has {sending.SendCredit.InFlight} frames in flight");
        }
        await send;
        Assert.InRange(most, 1, sendWindow);
        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public async Task A_large_body_completes_at_the_smallest_send_window()
    {
        // The smallest window equals the receiver's credit batch: the grant comes exactly when the sender runs dry.
        var (client, host) = await ConnectAsync(ChannelOptions.MinSendWindow);
        await using var _ = client;
        await using var __ = host;
        var data = RandomNumberGenerator.GetBytes(48 * 1024 * 1024 + 12345);
        var up = client.OpenStream();
        await up.SendMessageAsync("up"u8.ToArray(), default);
        var send = Task.Run(async () =>
        {
            for (var at = 0; at < data.Length; at += 1024 * 1024)
                await up.SendDataAsync(data.AsMemory(at, Math.Min(1024 * 1024, data.Length - at)), endStream: false, default);
            await up.SendEndAsync(default);
        });
        var down = (await host.AcceptStreamAsync(default).AsTask().WaitAsync(TimeSpan.FromSeconds(30)))!;
        await down.ReadMessageAsync(default);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[7000]; // not a frame multiple: credit is counted in frames consumed, not in reads
        int n;
        while ((n = await down.ReadDataAsync(buffer, default).AsTask().WaitAsync(TimeSpan.FromSeconds(60))) > 0) sha.AppendData(buffer, 0, n);
        await send.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(SHA256.HashData(data), sha.GetHashAndReset());
        Assert.True(client.IsOpen && host.IsOpen);
    }

    [Theory]
    [InlineData(ChannelOptions.MinSendWindow - 1)]
    [InlineData(ChannelOptions.MaxSendWindow + 1)]
    [InlineData(0)]
    public void A_send_window_outside_32_to_96_is_refused(int sendWindow)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelOptions { LocalKey = TestKeys.Gateway, PinnedPeers = PeerPins.Of(TestKeys.Host.PublicKey), SendWindow = sendWindow });
        Assert.Equal(nameof(ChannelOptions.SendWindow), e.ParamName);
    }

    [Theory]
    [InlineData(16, false)]
    [InlineData(32, true)]
    [InlineData(48, true)]
    [InlineData(96, true)]
    [InlineData(97, false)]
    public void The_gateway_setting_is_checked_at_start(int sendWindow, bool valid)
    {
        var result = new Gateway.ChannelHosting.ChannelGatewayOptionsValidator().Validate(null, new Gateway.ChannelHosting.ChannelGatewayOptions { SendWindow = sendWindow });
        Assert.Equal(valid, result.Succeeded);
        if (!valid) Assert.Contains("Gateway:Channel:SendWindow must be between 32 and 96", result.FailureMessage);
    }
}
