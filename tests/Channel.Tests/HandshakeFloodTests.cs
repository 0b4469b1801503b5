using System.Diagnostics;
using System.Security.Cryptography;
using Gateway.Channel.Connections;
using Gateway.Channel.Handshake;
using Gateway.Channel.Transport;
using Gateway.Contracts.ObjectStorage;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Gateway.Channel.Tests;

/// <summary>
/// Issue 12 item 4: ClientHellos naming a pinned (public) key used to cost the host an ML-KEM encapsulation and a
/// hybrid signature each. A flood of one captured, proven hello must neither stop real calls nor get more answers
/// than the per-address budget allows, and the host signs for that hello once (every replay gets an Alert).
/// </summary>
public class HandshakeFloodTests
{
    private static readonly HandshakeLimits Limits = new() { PerAddressPerSecond = 20, MaxConcurrentPerAddress = 4, MaxConcurrent = 32 };

    [Fact]
    public async Task Two_thousand_bogus_client_hellos_do_not_stop_a_real_gateways_calls()
    {
        await using var h = ChannelHarness.Create(tcp: true, configureHost: host => host.HandshakeLimits = Limits);
        var store = h.Remote;
        await store.CreateBucketAsync("flood", default);

        var clock = Stopwatch.StartNew();
        var flood = Task.Run(() => FloodAsync(h.Port, BogusHello(), count: 2000, parallel: 32));
        var data = RandomNumberGenerator.GetBytes(4096);
        for (var i = 0; i < 20; i++)
        {
            await store.PutObjectAsync("flood", $"k{i}", new MemoryStream(data), new PutObjectOptions(), default);
            await using var content = await store.GetObjectAsync("flood", $"k{i}", new GetObjectOptions(), default);
            var copy = new MemoryStream();
            await content.Body.CopyToAsync(copy);
            Assert.Equal(data, copy.ToArray());
        }
        var (answered, refused, signed) = await flood.WaitAsync(TimeSpan.FromMinutes(2));
        var seconds = clock.Elapsed.TotalSeconds;

        Assert.Equal(2000, answered + refused);
        Assert.True(refused > 0, "no bogus hello was refused");
        var budget = Limits.PerAddressPerSecond * (Math.Ceiling(seconds) + 1);
        Assert.True(answered <= budget, $"{answered} bogus hellos were answered in {seconds:F1} s; the budget is {budget}");
        // The host remembers the hello: it signs a ServerHello for it once, every replay gets an Alert.
        Assert.True(signed <= 1, $"the host signed {signed} ServerHellos for one replayed hello");
    }

    [Fact]
    public async Task A_peer_that_stalls_mid_handshake_is_dropped_at_the_deadline()
    {
        // The host's handshake timeout is set far past the wait below, so only the configured deadline can close the
        // socket within it; the wait is then a generous bound (it was 5 s against the default 10 s timeout).
        await using var h = ChannelHarness.Create(tcp: true,
            configureHost: host => host.HandshakeLimits = new HandshakeLimits { Deadline = TimeSpan.FromMilliseconds(300) },
            hostOptions: o => o with { HandshakeTimeout = TimeSpan.FromMinutes(10) });
        await using var socket = await TcpTransport.ConnectAsync("127.0.0.1", h.Port, default);
        await socket.WriteAsync(BogusHello().AsMemory(0, 10));
        var buffer = new byte[1];
        var read = await socket.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, read);
    }

    private static async Task<(int Answered, int Refused, int Signed)> FloodAsync(int port, byte[] hello, int count, int parallel)
    {
        var answered = 0;
        var refused = 0;
        var signed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (_, ct) =>
        {
            await using var socket = await TcpTransport.ConnectAsync("127.0.0.1", port, ct);
            var buffer = new byte[1];
            int read;
            try
            {
                await socket.WriteAsync(hello, ct);
                read = await socket.ReadAsync(buffer, ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), ct);
            }
            catch (IOException) { read = 0; }
            Interlocked.Increment(ref read > 0 ? ref answered : ref refused);
            if (read > 0 && buffer[0] == HandshakeMessages.ServerHelloType) Interlocked.Increment(ref signed);
        });
        return (answered, refused, signed);
    }

    /// <summary>A well-formed, proven ClientHello of the gateway's pinned key, as anyone who saw one on the wire could replay it.</summary>
    private static byte[] BogusHello()
    {
        var random = new SecureRandom();
        var x = new X25519PrivateKeyParameters(random);
        var kem = new Org.BouncyCastle.Crypto.Generators.MLKemKeyPairGenerator();
        kem.Init(new MLKemKeyGenerationParameters(random, MLKemParameters.ml_kem_768));
        var pair = kem.GenerateKeyPair();
        return ClientHello.Create(RandomNumberGenerator.GetBytes(HandshakeMessages.RandomLength), x.GeneratePublicKey().GetEncoded(),
            ((MLKemPublicKeyParameters)pair.Public).GetEncoded(), TestKeys.Gateway, DateTimeOffset.UtcNow);
    }
}
