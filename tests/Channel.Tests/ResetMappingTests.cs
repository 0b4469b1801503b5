using Gateway.Channel.Connections;
using Gateway.Channel.Handshake;
using Gateway.Channel.Rpc;
using Gateway.Channel.Transport;
using Gateway.Contracts.Errors;

namespace Gateway.Channel.Tests;

/// <summary>Issue 12 item 5: a RESET is unwitnessed, so it always means 503 unavailable, whatever code the host put in it.</summary>
public class ResetMappingTests
{
    [Theory]
    [InlineData("not-found")]
    [InlineData("forbidden")]
    [InlineData("conflict")]
    [InlineData("precondition-failed")]
    [InlineData("not-modified")]
    [InlineData("unavailable")]
    [InlineData("cancelled")]
    public async Task A_reset_carrying_any_code_becomes_unavailable_without_the_hosts_text(string code)
    {
        var (c, hs) = DuplexPipe.CreatePair();
        var hostTask = ChannelConnection.AcceptAsync(hs, new ChannelOptions { LocalKey = TestKeys.Host, PinnedPeers = PeerPins.Of(TestKeys.Gateway.PublicKey) }, default);
        await using var client = new ChannelClient(new ChannelClientOptions
        {
            Channel = new ChannelOptions { LocalKey = TestKeys.Gateway, PinnedPeers = PeerPins.Of(TestKeys.Host.PublicKey) },
            Connect = _ => Task.FromResult(c),
        });
        var call = client.CallAsync(new CallRequest { Id = "r1", Family = "objects", Instance = "local", Operation = "head-object" }, null, default);
        await using var host = await hostTask;
        var stream = await host.AcceptStreamAsync(default).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await stream!.ReadMessageAsync(default);
        await stream.ResetAsync(code, "host-chosen text 7f3a");

        var e = await Assert.ThrowsAsync<GatewayException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(ErrorCode.Unavailable, e.Code);
        Assert.Equal(503, e.Code.HttpStatus());
        Assert.DoesNotContain("7f3a", e.Message);
    }
}
