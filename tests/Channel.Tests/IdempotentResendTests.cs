using System.Net;
using Gateway.Channel.Framing;
using Gateway.Contracts.ObjectStorage;
using Gateway.Testing;

namespace Gateway.Channel.Tests;

/// <summary>
/// Issue 10 item 1 (the idempotent flag): when the connection to a remote bridge host closes after a call was sent and
/// before its answer came back, a call its family declares idempotent and that has no request body is sent once more,
/// as a new witnessed call, on a fresh connection; any other call fails with 503. The cut is made by a man in the
/// middle on real TCP, on the frame that carries the call's answer.
/// </summary>
public sealed class IdempotentResendTests
{
    private static readonly byte[] Data = System.Security.Cryptography.RandomNumberGenerator.GetBytes(200_000);

    private static async Task<(RogueBridgeHost Host, GatewayServer Server)> StartAsync()
    {
        var host = new RogueBridgeHost(relay: true);
        await host.Store.CreateBucketAsync("bucket-one", default);
        await host.Store.PutObjectAsync("bucket-one", "obj", new MemoryStream(Data), new PutObjectOptions(), default);
        var server = await GatewayServer.StartAsync(host.EdgeSettings());
        using var honest = await server.Client.GetAsync("v1/stores/conf/buckets/bucket-one/objects");
        Assert.Equal(HttpStatusCode.OK, honest.StatusCode);
        Assert.Equal(1, host.Relay!.Connections);
        return (host, server);
    }

    /// <summary>Cuts the connection once, on the first answer message toward the gateway.</summary>
    private static void CutOnNextAnswer(TcpFrameRelay relay, Action? cut = null)
    {
        var done = 0;
        relay.Mutate = f =>
        {
            if (!f.ToHost && f.Header.Type == FrameType.Message && Interlocked.Exchange(ref done, 1) == 0)
            {
                cut?.Invoke();
                throw new IOException("test: the connection is cut before the answer");
            }
            return [f.Bytes];
        };
    }

    [Fact]
    public async Task A_read_whose_answer_was_cut_off_is_sent_again_and_answers_in_full()
    {
        var (host, server) = await StartAsync();
        await using var _ = host;
        await using var __ = server;
        var cut = false;
        CutOnNextAnswer(host.Relay!, () => cut = true);

        using var got = await server.Client.GetAsync("v1/stores/conf/buckets/bucket-one/objects/obj");

        Assert.True(cut);
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        Assert.Equal(Data, await got.Content.ReadAsByteArrayAsync());
        Assert.Equal(2, host.Relay!.Connections);
        // The answer released is the resent call's, and it is witnessed and audited like any other.
        var requestId = got.Headers.GetValues("X-Request-Id").Single();
        using var witness = await server.Client.GetAsync($"v1/witnesses/{Uri.EscapeDataString(requestId)}");
        Assert.Equal(HttpStatusCode.OK, witness.StatusCode);
        Assert.Contains("object-storage.get-object", await witness.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_listing_whose_answer_was_cut_off_is_sent_again()
    {
        var (host, server) = await StartAsync();
        await using var _ = host;
        await using var __ = server;
        CutOnNextAnswer(host.Relay!);

        using var listed = await server.Client.GetAsync("v1/stores/conf/buckets/bucket-one/objects");

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Contains("\"obj\"", await listed.Content.ReadAsStringAsync());
        Assert.Equal(2, host.Relay!.Connections);
    }

    [Fact]
    public async Task A_write_with_a_body_whose_answer_was_cut_off_is_not_sent_again()
    {
        var (host, server) = await StartAsync();
        await using var _ = host;
        await using var __ = server;
        CutOnNextAnswer(host.Relay!);

        using var put = await server.Client.PutAsync("v1/stores/conf/buckets/bucket-one/objects/new", new ByteArrayContent("body"u8.ToArray()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, put.StatusCode);
        Assert.Equal("application/problem+json", put.Content.Headers.ContentType?.MediaType);
        // No second connection: the gateway did not send the body again.
        Assert.Equal(1, host.Relay!.Connections);
    }

    [Fact]
    public async Task A_call_that_is_not_idempotent_is_not_sent_again()
    {
        var (host, server) = await StartAsync();
        await using var _ = host;
        await using var __ = server;
        CutOnNextAnswer(host.Relay!);

        using var created = await server.Client.PutAsync("v1/stores/conf/buckets/bucket-two", null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, created.StatusCode);
        Assert.Equal(1, host.Relay!.Connections);
        // The host did run it (the cut was on its answer); the gateway said it does not know, and did not run it twice.
        Assert.Contains(await host.Store.ListBucketsAsync(default), b => b.Name == "bucket-two");
    }
}
