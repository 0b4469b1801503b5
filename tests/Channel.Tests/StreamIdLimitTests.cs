using Gateway.Channel.Connections;
using Gateway.Channel.Framing;
using Gateway.Channel.Handshake;
using Gateway.Channel.Transport;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Tests;

/// <summary>Issue 12 item 7: stream ids never wrap; the client moves to a new connection well before they run out.</summary>
public class StreamIdLimitTests
{
    private static ChannelOptions Limited(ChannelOptions o, uint max) => o with { MaxStreamId = max };

    [Fact]
    public async Task Calls_past_the_stream_id_limit_continue_on_a_new_connection_and_the_old_one_says_goaway()
    {
        await using var h = ChannelHarness.Create(hostOptions: o => Limited(o, 9), clientOptions: o => Limited(o, 9));
        var store = h.Remote;
        await store.CreateBucketAsync("bucket-one", default);
        var first = h.Client.Connection!;
        var connections = new HashSet<ChannelConnection> { first };
        for (var i = 0; i < 25; i++)
        {
            await store.PutObjectAsync("bucket-one", $"k{i}", new MemoryStream([(byte)i, 1, 2]), new PutObjectOptions(), default)
                .WaitAsync(TimeSpan.FromSeconds(20));
            connections.Add(h.Client.Connection!);
        }
        // Ids 1..9 are five calls per connection. The first connection carries five store calls; every later one first
        // continues the witness log (a witnessed log-open call), leaving four: 26 calls need 5 + 6 x 4, seven connections.
        Assert.Equal(7, connections.Count);
        await first.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        // A clean close either way: the client disposes it after its GOAWAY, or the host, having read the GOAWAY,
        // closes first (seen under stress-ng); never a protocol violation.
        Assert.Contains(first.CloseError!.Reason, new[] { ChannelCloseReason.Disposed, ChannelCloseReason.PeerClosed });
        Assert.Equal(26, (await h.Audit.ReadAsync(0, 100, default)).Count(e => e.Operation.StartsWith("object-storage.", StringComparison.Ordinal)));
        Assert.True(h.Logs.Has(9620, "last stream id"), h.Logs.Dump());
    }

    [Fact]
    public async Task A_connection_refuses_to_open_a_stream_past_the_limit()
    {
        var (c, hs) = DuplexPipe.CreatePair();
        var hostTask = ChannelConnection.AcceptAsync(hs, new ChannelOptions { LocalKey = TestKeys.Host, PinnedPeers = PeerPins.Of(TestKeys.Gateway.PublicKey) }, default);
        await using var client = await ChannelConnection.ConnectAsync(c, new ChannelOptions { LocalKey = TestKeys.Gateway, PinnedPeers = PeerPins.Of(TestKeys.Host.PublicKey), MaxStreamId = 5 }, default);
        await using var host = await hostTask;
        for (var i = 0; i < 3; i++) client.OpenStream();
        var e = Assert.Throws<ChannelProtocolException>(() => client.OpenStream());
        Assert.Equal(ChannelCloseReason.StreamIdsExhausted, e.Reason);
        Assert.False(client.AcceptsNewStreams);
        Assert.True(client.IsOpen);
    }

    [Fact]
    public async Task A_host_closes_a_connection_whose_client_goes_past_the_limit()
    {
        var (c, hs) = DuplexPipe.CreatePair();
        var hostTask = ChannelConnection.AcceptAsync(hs, new ChannelOptions { LocalKey = TestKeys.Host, PinnedPeers = PeerPins.Of(TestKeys.Gateway.PublicKey), MaxStreamId = 3 }, default);
        await using var client = await ChannelConnection.ConnectAsync(c, new ChannelOptions { LocalKey = TestKeys.Gateway, PinnedPeers = PeerPins.Of(TestKeys.Host.PublicKey) }, default);
        await using var host = await hostTask;
        for (var i = 0; i < 3; i++) await client.OpenStream().SendMessageAsync("call"u8.ToArray(), default);
        await host.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ChannelCloseReason.StreamIdsExhausted, host.CloseError!.Reason);
    }
}
