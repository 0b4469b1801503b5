using System.Reflection;
using Gateway.Channel.Connections;
using Gateway.Channel.Handshake;
using Gateway.Channel.Rpc;

namespace Gateway.Channel.Tests;

/// <summary>A TCP bridge host gives each accepted connection a copy of its options: every setting must survive the copy.</summary>
public class HostConnectionOptionsTests
{
    // Set per connection on purpose: the peer's address, the handshake deadline and the shared ClientHello guard.
    private static readonly HashSet<string> PerConnection = [nameof(ChannelOptions.PeerLabel), nameof(ChannelOptions.HandshakeTimeout), nameof(ChannelOptions.ClientHelloGuard)];

    [Fact]
    public void Each_connection_gets_every_setting_of_the_host()
    {
        var options = new ChannelOptions
        {
            LocalKey = TestKeys.Host, PinnedPeers = PeerPins.Of(TestKeys.Gateway.PublicKey),
            SendWindow = ChannelOptions.MinSendWindow, MaxConcurrentStreams = 7, KeepaliveInterval = TimeSpan.FromSeconds(3),
            IdleTimeout = TimeSpan.FromSeconds(9), RekeyAfterFrames = 1234, IgnoreSendCredit = true,
        };
        var host = new ChannelHost(options, []);
        var withPeer = typeof(ChannelHost).GetMethod("WithPeer", BindingFlags.NonPublic | BindingFlags.Instance)!;
        var copy = (ChannelOptions)withPeer.Invoke(host, ["peer", TimeSpan.FromSeconds(1)])!;
        foreach (var property in typeof(ChannelOptions).GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance).Where(p => !PerConnection.Contains(p.Name)))
            Assert.True(Equals(property.GetValue(options), property.GetValue(copy)), $"{property.Name} is not copied to a connection's options.");
    }
}
