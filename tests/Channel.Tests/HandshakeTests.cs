using Gateway.Channel.Connections;
using Gateway.Channel.Handshake;
using Gateway.Channel.Identity;
using Gateway.Channel.Transport;
using Gateway.Contracts.Errors;

namespace Gateway.Channel.Tests;

public class HandshakeTests
{
    private static ChannelOptions Options(HybridSigningKey key, params HybridPublicKey[] pins) => new()
    {
        LocalKey = key, PinnedPeers = PeerPins.Of(pins), HandshakeTimeout = TimeSpan.FromSeconds(10),
    };

    private static async Task<(Exception? Client, Exception? Host)> RunAsync(ChannelOptions client, ChannelOptions host)
    {
        var (c, h) = DuplexPipe.CreatePair();
        var clientTask = ChannelConnection.ConnectAsync(c, client, default);
        var hostTask = ChannelConnection.AcceptAsync(h, host, default);
        Exception? ce = null, he = null;
        try { await (await clientTask).DisposeAsync(); } catch (Exception e) { ce = e; }
        try { await (await hostTask).DisposeAsync(); } catch (Exception e) { he = e; }
        return (ce, he);
    }

    [Fact]
    public async Task Both_sides_agree_on_the_transcript_and_the_peer_keys()
    {
        var (c, h) = DuplexPipe.CreatePair();
        var hostTask = ChannelConnection.AcceptAsync(h, Options(TestKeys.Host, TestKeys.Gateway.PublicKey), default);
        await using var client = await ChannelConnection.ConnectAsync(c, Options(TestKeys.Gateway, TestKeys.Host.PublicKey), default);
        await using var host = await hostTask;
        Assert.Equal(client.TranscriptHash, host.TranscriptHash);
        Assert.Equal(TestKeys.Host.PublicKey, client.PeerKey);
        Assert.Equal(TestKeys.Gateway.PublicKey, host.PeerKey);
    }

    [Fact]
    public async Task An_unknown_client_key_ends_the_handshake_on_both_sides()
    {
        var (client, host) = await RunAsync(Options(TestKeys.Stranger, TestKeys.Host.PublicKey), Options(TestKeys.Host, TestKeys.Gateway.PublicKey));
        Assert.Equal(HandshakeFailure.UnknownPeerKey, Assert.IsType<HandshakeException>(host).Reason);
        var c = Assert.IsType<HandshakeException>(client);
        Assert.Equal(HandshakeFailure.RejectedByPeer, c.Reason);
        Assert.Equal(HandshakeFailure.UnknownPeerKey, c.RemoteReason);
    }

    [Fact]
    public async Task A_host_key_other_than_the_pinned_one_is_a_mismatch()
    {
        var (client, _) = await RunAsync(Options(TestKeys.Gateway, TestKeys.Host.PublicKey), Options(TestKeys.Stranger, TestKeys.Gateway.PublicKey));
        Assert.Equal(HandshakeFailure.PeerKeyMismatch, Assert.IsType<HandshakeException>(client).Reason);
    }

    [Fact]
    public async Task A_wrong_version_is_named()
    {
        var (c, h) = DuplexPipe.CreatePair();
        var hostTask = ChannelConnection.AcceptAsync(h, Options(TestKeys.Host, TestKeys.Gateway.PublicKey), default);
        var hello = new byte[HandshakeMessages.HeaderLength + HandshakeMessages.ClientHelloLength];
        hello[0] = HandshakeMessages.ClientHelloType;
        hello[1] = 2;
        hello[2] = (byte)(HandshakeMessages.ClientHelloLength >> 16);
        hello[3] = (byte)(HandshakeMessages.ClientHelloLength >> 8);
        hello[4] = unchecked((byte)HandshakeMessages.ClientHelloLength);
        await c.WriteAsync(hello);
        var e = await Assert.ThrowsAsync<HandshakeException>(() => hostTask);
        Assert.Equal(HandshakeFailure.WrongVersion, e.Reason);
        var alert = new byte[6];
        await c.ReadExactlyAsync(alert);
        Assert.Equal([HandshakeMessages.AlertType, HandshakeMessages.Version, 0, 0, 1, (byte)HandshakeFailure.WrongVersion], alert);
    }

    [Fact]
    public async Task A_malformed_hello_is_named()
    {
        var (c, h) = DuplexPipe.CreatePair();
        var hostTask = ChannelConnection.AcceptAsync(h, Options(TestKeys.Host, TestKeys.Gateway.PublicKey), default);
        await c.WriteAsync(new byte[] { 1, 1, 0, 0, 7, 1, 2, 3, 4, 5, 6, 7 });
        Assert.Equal(HandshakeFailure.Malformed, (await Assert.ThrowsAsync<HandshakeException>(() => hostTask)).Reason);
    }

    [Theory]
    [InlineData(false)] // the host's ServerHello signature
    [InlineData(true)]  // the client's ClientFinished signature
    public async Task A_bad_transcript_signature_ends_the_handshake(bool clientSide)
    {
        await using var h = ChannelHarness.Create(relay: true, configureRelay: relay => relay.MutateHandshake = (toHost, index, message) =>
        {
            var target = clientSide ? toHost && index == 1 : !toHost && index == 0;
            if (target) message[^100] ^= 0x01;
            return message;
        });
        var e = await Assert.ThrowsAsync<GatewayException>(() => h.Remote.ListBucketsAsync(default));
        Assert.Equal(ErrorCode.Unavailable, e.Code);
        if (clientSide)
        {
            // The client already sent its Finished; it learns of the failure from the host's alert or the closed connection.
            Assert.True(await h.Logs.WaitForAsync(9601, "BadSignature"), h.Logs.Dump());
        }
        else
        {
            Assert.Equal(HandshakeFailure.BadSignature, Assert.IsType<HandshakeException>(e.InnerException).Reason);
            Assert.True(h.Logs.Has(9601, "BadSignature"), h.Logs.Dump());
        }
    }

    [Fact]
    public async Task An_unknown_peer_is_logged_as_a_security_event_and_the_call_fails_unavailable()
    {
        await using var h = ChannelHarness.Create(clientOptions: o => o with { LocalKey = TestKeys.Stranger });
        var e = await Assert.ThrowsAsync<GatewayException>(() => h.Remote.ListBucketsAsync(default));
        Assert.Equal(ErrorCode.Unavailable, e.Code);
        Assert.Contains("UnknownPeerKey", e.Message);
        Assert.True(await h.Logs.WaitForAsync(9601, "UnknownPeerKey"), h.Logs.Dump());
        Assert.Empty(await h.Audit.ReadAsync(0, 10, default));
    }

    [Fact]
    public async Task A_host_whose_key_is_not_the_pinned_one_is_refused_by_the_gateway_and_the_message_says_so()
    {
        // The host presents another key than the one pinned for it: the gateway ends the handshake (it fails closed), so
        // the answer does not say the host refused it (it did until session 46).
        await using var h = ChannelHarness.Create(hostOptions: o => o with { LocalKey = TestKeys.Stranger });
        var e = await Assert.ThrowsAsync<GatewayException>(() => h.Remote.ListBucketsAsync(default));
        Assert.Equal(ErrorCode.Unavailable, e.Code);
        Assert.Equal("The gateway refused the bridge host in the channel handshake (PeerKeyMismatch).", e.Message);
        Assert.Empty(await h.Audit.ReadAsync(0, 10, default));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(4)]
    public void Hello_parsers_refuse_a_message_shorter_than_its_header(int length)
    {
        // Found by the decoder fuzzer: a message shorter than its 5-byte header escaped as ArgumentOutOfRangeException.
        var clientHello = Assert.Throws<HandshakeException>(() => ClientHello.Parse(new byte[length]));
        Assert.Equal(HandshakeFailure.Malformed, clientHello.Reason);
        var serverHello = Assert.Throws<HandshakeException>(() => ServerHello.Parse(new byte[length]));
        Assert.Equal(HandshakeFailure.Malformed, serverHello.Reason);
    }
}
