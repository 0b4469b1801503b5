using Gateway.ChannelHosting;
using System.Security.Cryptography;
using Gateway.Channel.Connections;
using Gateway.Channel.Framing;
using Gateway.Channel.Handshake;
using Gateway.Channel.Rpc;
using Gateway.Channel.Transport;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Channel.Tests;

public class FlowControlTests
{
    /// <summary>A handler that does not read its request body until released.</summary>
    private sealed class StalledHandler : IChannelCallHandler
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string Family => "stalled";
        public async Task<CallResult> HandleAsync(CallRequest request, Stream requestBody, CancellationToken ct)
        {
            await Release.Task.WaitAsync(ct);
            await requestBody.CopyToAsync(Stream.Null, ct);
            return new CallResult(null);
        }
    }

    [Fact]
    public async Task Data_past_the_96_frame_window_closes_the_connection()
    {
        var logs = new TestLoggerFactory();
        var handler = new StalledHandler();
        var host = new ChannelHost(new ChannelOptions { LocalKey = TestKeys.Host, PinnedPeers = PeerPins.Of(TestKeys.Gateway.PublicKey), LoggerFactory = logs }, [handler]);
        var (c, hs) = DuplexPipe.CreatePair();
        var serving = host.ServeConnectionAsync(hs, "gateway", default);
        await using var client = new ChannelClient(new ChannelClientOptions
        {
            Channel = new ChannelOptions { LocalKey = TestKeys.Gateway, PinnedPeers = PeerPins.Of(TestKeys.Host.PublicKey), LoggerFactory = logs, IgnoreSendCredit = true },
            Connect = _ => Task.FromResult(c),
        });
        var body = new MemoryStream(new byte[97 * FrameHeader.MaxPayload]);
        var e = await Assert.ThrowsAsync<GatewayException>(() => client.CallAsync(new CallRequest { Id = "w", Family = "stalled", Instance = "x", Operation = "op" }, body, default));
        Assert.Equal(ErrorCode.Unavailable, e.Code);
        Assert.True(await logs.WaitForAsync(9602, "(WindowExceeded)"), logs.Dump());
        await serving;
        Assert.False(handler.Release.Task.IsCompleted);
    }

    [Fact]
    public async Task A_slow_reader_still_receives_a_large_body_within_the_window()
    {
        // Were the sender to ignore credit, the receiver would close the connection with WindowExceeded.
        await using var h = ChannelHarness.Create();
        await h.Store.CreateBucketAsync("bucket-one", default);
        var data = RandomNumberGenerator.GetBytes(20 * 1024 * 1024);
        await h.Store.PutObjectAsync("bucket-one", "big", new MemoryStream(data), new PutObjectOptions(), default);
        await using var content = await h.Remote.GetObjectAsync("bucket-one", "big", new GetObjectOptions(), default);
        var buffer = new byte[1000];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int n;
        while ((n = await content.Body.ReadAsync(buffer)) > 0) sha.AppendData(buffer, 0, n);
        Assert.Equal(SHA256.HashData(data), sha.GetHashAndReset());
        Assert.True(h.Client.Connection!.IsOpen);
    }

    [Fact]
    public async Task Keys_are_updated_before_the_frame_limit_and_traffic_continues()
    {
        await using var h = ChannelHarness.Create(
            hostOptions: o => o with { RekeyAfterFrames = 7 },
            clientOptions: o => o with { RekeyAfterFrames = 5 });
        var store = h.Remote;
        await store.CreateBucketAsync("bucket-one", default);
        var data = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
        await store.PutObjectAsync("bucket-one", "k", new MemoryStream(data), new PutObjectOptions(), default);
        await using var content = await store.GetObjectAsync("bucket-one", "k", new GetObjectOptions(), default);
        var copy = new MemoryStream();
        await content.Body.CopyToAsync(copy);
        Assert.Equal(data, copy.ToArray());
        Assert.True(h.Client.Connection!.SendKeyGeneration >= 10, $"send generation {h.Client.Connection.SendKeyGeneration}");
        Assert.True(h.Client.Connection.ReceiveKeyGeneration >= 5, $"receive generation {h.Client.Connection.ReceiveKeyGeneration}");
    }

    [Fact]
    public async Task Many_concurrent_calls_share_one_connection()
    {
        await using var h = ChannelHarness.Create(tcp: true);
        var store = h.Remote;
        await store.CreateBucketAsync("bucket-one", default);
        var payloads = Enumerable.Range(0, 40).Select(i => RandomNumberGenerator.GetBytes(50_000 + i * 7919)).ToArray();
        await Task.WhenAll(payloads.Select((p, i) => store.PutObjectAsync("bucket-one", $"k{i}", new MemoryStream(p), new PutObjectOptions(), default)));
        var reads = await Task.WhenAll(payloads.Select(async (p, i) =>
        {
            await using var content = await store.GetObjectAsync("bucket-one", $"k{i}", new GetObjectOptions(), default);
            var m = new MemoryStream();
            await content.Body.CopyToAsync(m);
            return m.ToArray();
        }));
        for (var i = 0; i < payloads.Length; i++) Assert.Equal(payloads[i], reads[i]);
        Assert.Equal(81, (await h.Audit.ReadAsync(0, 1000, default)).Count);
    }

    [Fact]
    public async Task A_silent_peer_is_dropped_after_the_idle_timeout_and_keepalive_keeps_a_live_one()
    {
        // Both ends run on one fake clock: keepalive and idle timeout fire when the test moves time, and each step
        // waits for the client's answer to the host's PING, so a busy machine cannot make a PING look late.
        // Started at a fixed time whose tick count, converted to milliseconds through a double, ends exactly 100 ms
        // later as 99 ms: the connection read its clock that way and sent no PING at step 0 (from today's date instead,
        // about one run in 150 started at such a time: the CI's red "step 1").
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero));
        var swallow = false;
        using var acked = new SemaphoreSlim(0);
        ChannelOptions On(ChannelOptions o, TimeSpan keepalive, TimeSpan idle) =>
            o with { KeepaliveInterval = keepalive, IdleTimeout = idle, TimeProvider = time };
        // Only the host pings (the client's own interval is never reached), so every client PING frame is an answer.
        await using var h = ChannelHarness.Create(relay: true,
            hostOptions: o => On(o, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30)),
            clientOptions: o => On(o, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(400)),
            configureRelay: r => r.Mutate = f =>
            {
                if (f.ToHost && f.Header.Type == FrameType.Ping && (f.Header.Flags & FrameFlags.Ack) != 0) acked.Release();
                return swallow && !f.ToHost ? [] : [f.Bytes];
            });
        await h.Remote.ListBucketsAsync(default);
        var connection = h.Client.Connection!;

        // Alive for five idle periods thanks to the host's PINGs: one per keepalive interval, each answered.
        for (var step = 0; step < 20; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            Assert.True(await acked.WaitAsync(TimeSpan.FromSeconds(30)), $"step {step}: the host sent no PING, or the client did not answer it (the client's connection is {(connection.IsOpen ? "open" : $"closed: {connection.CloseError}")})");
            Assert.False(connection.Completion.IsCompleted, $"step {step}: {connection.CloseError}");
        }

        // Silence from the host for longer than the idle timeout: the client drops the connection.
        swallow = true;
        time.Advance(TimeSpan.FromMilliseconds(500));
        await connection.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ChannelCloseReason.IdleTimeout, connection.CloseError!.Reason);
        Assert.True(h.Logs.Has(9602, "(IdleTimeout)"), h.Logs.Dump());
    }

    [Fact]
    public async Task Streams_opened_in_one_order_and_started_in_the_other_are_both_served()
    {
        var (c, hs) = DuplexPipe.CreatePair();
        var hostTask = ChannelConnection.AcceptAsync(hs, new ChannelOptions { LocalKey = TestKeys.Host, PinnedPeers = PeerPins.Of(TestKeys.Gateway.PublicKey) }, default);
        await using var client = await ChannelConnection.ConnectAsync(c, new ChannelOptions { LocalKey = TestKeys.Gateway, PinnedPeers = PeerPins.Of(TestKeys.Host.PublicKey) }, default);
        await using var host = await hostTask;
        var first = client.OpenStream();
        var second = client.OpenStream();
        await second.SendMessageAsync("second"u8.ToArray(), default);
        await first.SendMessageAsync("first"u8.ToArray(), default);
        var got = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var s = await host.AcceptStreamAsync(default).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            got.Add(System.Text.Encoding.ASCII.GetString(await s!.ReadMessageAsync(default)));
        }
        Assert.Equal(["second", "first"], got);
        Assert.True(first.Id > second.Id);
    }
}
