using System.Net;
using Gateway.Channel.Framing;
using Gateway.Contracts.Diagnostics;
using Gateway.Contracts.ObjectStorage;
using Gateway.Testing;

namespace Gateway.Channel.Tests;

/// <summary>
/// A bridge host that dies (or a network that cuts) after it sent a call's answer but before the witness, or before
/// the signed head over it, loses the call: nothing of it was released, so it is a 503 and an idempotent call without
/// a body is sent again, as for a cut before the answer (IdempotentResendTests). Until session 45 it was a 502
/// witness-failed with a CTP-96 security event (9603), which a host crash is not (session-43 remote probe, finding 1).
/// The cut is made by a man in the middle on real TCP, on the first frame of the given type toward the gateway.
/// </summary>
public sealed class HostLostBeforeHeadTests
{
    private sealed class Setup : IAsyncDisposable
    {
        public required RogueBridgeHost Host { get; init; }
        public required GatewayServer Server { get; init; }
        public required TestLoggerFactory Logs { get; init; }

        public static async Task<Setup> StartAsync()
        {
            var host = new RogueBridgeHost(relay: true);
            await host.Store.CreateBucketAsync("bucket-one", default);
            await host.Store.PutObjectAsync("bucket-one", "obj", new MemoryStream("kept"u8.ToArray()), new PutObjectOptions(), default);
            var logs = new TestLoggerFactory();
            var server = await GatewayServer.StartAsync(host.EdgeSettings(), logging: logs.Attach);
            using var honest = await server.Client.GetAsync("v1/stores/conf/buckets/bucket-one/objects");
            Assert.Equal(HttpStatusCode.OK, honest.StatusCode);
            return new Setup { Host = host, Server = server, Logs = logs };
        }

        /// <summary>Cuts the connection once, on the first frame of <paramref name="type"/> toward the gateway.</summary>
        public Func<bool> CutOnNext(FrameType type)
        {
            var done = 0;
            Host.Relay!.Mutate = f =>
            {
                if (!f.ToHost && f.Header.Type == type && Interlocked.Exchange(ref done, 1) == 0)
                    throw new IOException($"test: the connection is cut before the {type} frame");
                return [f.Bytes];
            };
            return () => Volatile.Read(ref done) == 1;
        }

        public void AssertNoSecurityEvent() =>
            Assert.False(Logs.Has(EventIds.WitnessRejected, "CTP-96 security event"), Logs.Dump());

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            await Host.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(FrameType.Head, "lost before the head over its witness")]
    [InlineData(FrameType.Witness, "lost before its witness")]
    public async Task A_listing_whose_host_went_away_before_it_was_witnessed_is_sent_again(FrameType cutBefore, string logged)
    {
        await using var s = await Setup.StartAsync();
        var cut = s.CutOnNext(cutBefore);

        using var listed = await s.Server.Client.GetAsync("v1/stores/conf/buckets/bucket-one/objects");

        Assert.True(cut());
        var body = await listed.Content.ReadAsStringAsync();
        Assert.True(listed.StatusCode == HttpStatusCode.OK, $"{listed.StatusCode}: {body}\n{s.Logs.Dump()}");
        Assert.Contains("\"obj\"", body);
        Assert.Equal(2, s.Host.Relay!.Connections);
        Assert.True(await s.Logs.WaitForAsync(EventIds.CallInterrupted, logged), s.Logs.Dump());
        s.AssertNoSecurityEvent();
    }

    [Fact]
    public async Task A_write_with_a_body_whose_head_never_came_is_a_503_not_a_security_event()
    {
        await using var s = await Setup.StartAsync();
        var cut = s.CutOnNext(FrameType.Head);

        using var put = await s.Server.Client.PutAsync("v1/stores/conf/buckets/bucket-one/objects/new", new ByteArrayContent("body"u8.ToArray()));

        Assert.True(cut());
        Assert.True(put.StatusCode == HttpStatusCode.ServiceUnavailable, $"{put.StatusCode}: {await put.Content.ReadAsStringAsync()}\n{s.Logs.Dump()}");
        Assert.Equal("application/problem+json", put.Content.Headers.ContentType?.MediaType);
        var problem = System.Text.Json.JsonDocument.Parse(await put.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("unavailable", problem.GetProperty("code").GetString());
        // Not sent again (it has a body): one connection, and the host did store it; the gateway says it does not know.
        Assert.Equal(1, s.Host.Relay!.Connections);
        Assert.Equal(4, (await s.Host.Store.HeadObjectAsync("bucket-one", "new", ObjectConditions.None, default)).Size);
        s.AssertNoSecurityEvent();
    }
}
