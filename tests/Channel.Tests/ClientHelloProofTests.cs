using System.Security.Cryptography;
using Gateway.Channel.Handshake;
using Gateway.Channel.Identity;
using Gateway.Channel.Transport;
using Microsoft.Extensions.Time.Testing;
using Org.BouncyCastle.Crypto.Parameters;

namespace Gateway.Channel.Tests;

/// <summary>
/// Issue 12 item 4, the cheap proof: a bridge host refuses a ClientHello that is stale, replayed, or not proven by the
/// client key it names before it does any expensive work. "Before it signs" is observed from outside: the host draws
/// its X25519 share, its random and the ML-KEM encapsulation's randomness from its entropy before it signs, so a
/// refusal with no entropy drawn and an Alert (not a ServerHello) on the wire means no encapsulation and no signature.
/// </summary>
public class ClientHelloProofTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000);

    private static byte[] Hello(HybridSigningKey key, DateTimeOffset time)
    {
        var kem = MLKemPrivateKeyParameters.FromSeed(MLKemParameters.ml_kem_768, RandomNumberGenerator.GetBytes(64));
        var x = new X25519PrivateKeyParameters(RandomNumberGenerator.GetBytes(32));
        return ClientHello.Create(RandomNumberGenerator.GetBytes(HandshakeMessages.RandomLength), x.GeneratePublicKey().GetEncoded(),
            kem.GetPublicKeyEncoded(), key, time);
    }

    /// <summary>Sends <paramref name="hello"/> to a host; returns how it ended, the first message type it wrote and the entropy it drew.</summary>
    private static async Task<(HandshakeFailure? Failure, byte Answer, byte? AlertReason, int EntropyDrawn)> SendAsync(byte[] hello, ClientHelloGuard guard)
    {
        var entropy = new CountingEntropy();
        var (client, host) = DuplexPipe.CreatePair();
        using var stop = new CancellationTokenSource();
        var hostTask = ChannelHandshake.ServerAsync(host, TestKeys.Host, PeerPins.Of(TestKeys.Gateway.PublicKey), entropy, stop.Token, guard);
        await client.WriteAsync(hello);
        await client.FlushAsync();
        var header = new byte[HandshakeMessages.HeaderLength + 1];
        await client.ReadExactlyAsync(header).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        HandshakeFailure? failure = null;
        if (header[0] == HandshakeMessages.AlertType)
            failure = (await Assert.ThrowsAsync<HandshakeException>(() => hostTask).WaitAsync(TimeSpan.FromSeconds(30))).Reason;
        else
        {
            // A ServerHello: the host did the work. Stop it waiting for ClientFinished.
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => hostTask).WaitAsync(TimeSpan.FromSeconds(30));
        }
        return (failure, header[0], header[0] == HandshakeMessages.AlertType ? header[HandshakeMessages.HeaderLength] : null, entropy.Drawn);
    }

    private static void AssertRefusedBeforeAnyWork((HandshakeFailure? Failure, byte Answer, byte? AlertReason, int EntropyDrawn) result, HandshakeFailure expected)
    {
        Assert.Equal(expected, result.Failure);
        Assert.Equal(HandshakeMessages.AlertType, result.Answer);
        Assert.Equal((byte?)(byte)expected, result.AlertReason);
        Assert.Equal(0, result.EntropyDrawn);
    }

    [Fact]
    public async Task A_fresh_proven_hello_gets_a_signed_server_hello()
    {
        var result = await SendAsync(Hello(TestKeys.Gateway, Now), new ClientHelloGuard(new FakeTimeProvider(Now)));
        Assert.Null(result.Failure);
        Assert.Equal(HandshakeMessages.ServerHelloType, result.Answer);
        Assert.True(result.EntropyDrawn > 0);
    }

    [Fact]
    public async Task A_replayed_hello_is_refused_before_the_host_signs_even_on_another_connection()
    {
        var guard = new ClientHelloGuard(new FakeTimeProvider(Now));
        var hello = Hello(TestKeys.Gateway, Now);
        Assert.Equal(HandshakeMessages.ServerHelloType, (await SendAsync(hello, guard)).Answer);
        AssertRefusedBeforeAnyWork(await SendAsync(hello, guard), HandshakeFailure.ReplayedHello);
        // A new hello from the same client is fine.
        Assert.Equal(HandshakeMessages.ServerHelloType, (await SendAsync(Hello(TestKeys.Gateway, Now), guard)).Answer);
    }

    [Theory]
    [InlineData(-31)]
    [InlineData(31)]
    [InlineData(-3600)]
    public async Task A_stale_hello_is_refused_before_the_host_signs(int secondsOff)
    {
        var hello = Hello(TestKeys.Gateway, Now.AddSeconds(secondsOff));
        AssertRefusedBeforeAnyWork(await SendAsync(hello, new ClientHelloGuard(new FakeTimeProvider(Now))), HandshakeFailure.StaleHello);
    }

    [Fact]
    public async Task A_hello_at_the_edge_of_the_window_is_accepted()
    {
        var result = await SendAsync(Hello(TestKeys.Gateway, Now - ClientHelloGuard.Window), new ClientHelloGuard(new FakeTimeProvider(Now)));
        Assert.Equal(HandshakeMessages.ServerHelloType, result.Answer);
    }

    [Fact]
    public async Task A_hello_from_an_unknown_key_is_refused_before_the_host_signs()
    {
        AssertRefusedBeforeAnyWork(await SendAsync(Hello(TestKeys.Stranger, Now), new ClientHelloGuard(new FakeTimeProvider(Now))),
            HandshakeFailure.UnknownPeerKey);
    }

    [Fact]
    public async Task A_hello_naming_the_pinned_key_but_proven_by_another_is_refused_before_the_host_signs()
    {
        // Anyone can name the pinned public key; without its private key the proof is made with some other key.
        var hello = Hello(TestKeys.Stranger, Now);
        TestKeys.Gateway.PublicKey.Encoded.CopyTo(hello.AsSpan(HelloKeyOffset));
        AssertRefusedBeforeAnyWork(await SendAsync(hello, new ClientHelloGuard(new FakeTimeProvider(Now))), HandshakeFailure.BadSignature);
    }

    [Theory]
    [InlineData(0)]                          // random
    [InlineData(40)]                         // X25519 share
    [InlineData(1000)]                       // ML-KEM encapsulation key
    [InlineData(HelloTimeOffset + 7)]        // time (within the window: 1 ms)
    [InlineData(-1)]                         // the proof itself
    public async Task A_proven_hello_altered_anywhere_is_refused_before_the_host_signs(int offset)
    {
        var hello = Hello(TestKeys.Gateway, Now);
        hello[offset < 0 ? hello.Length + offset : HandshakeMessages.HeaderLength + offset] ^= 0x01;
        AssertRefusedBeforeAnyWork(await SendAsync(hello, new ClientHelloGuard(new FakeTimeProvider(Now))), HandshakeFailure.BadSignature);
    }

    [Fact]
    public async Task A_full_memory_refuses_until_its_hellos_expire()
    {
        var clock = new FakeTimeProvider(Now);
        var guard = new ClientHelloGuard(clock, capacity: 2);
        Assert.Equal(HandshakeMessages.ServerHelloType, (await SendAsync(Hello(TestKeys.Gateway, Now), guard)).Answer);
        Assert.Equal(HandshakeMessages.ServerHelloType, (await SendAsync(Hello(TestKeys.Gateway, Now), guard)).Answer);
        AssertRefusedBeforeAnyWork(await SendAsync(Hello(TestKeys.Gateway, Now), guard), HandshakeFailure.Overloaded);
        clock.Advance(ClientHelloGuard.Window + TimeSpan.FromMilliseconds(1));
        Assert.Equal(HandshakeMessages.ServerHelloType, (await SendAsync(Hello(TestKeys.Gateway, clock.GetUtcNow()), guard)).Answer);
    }

    [Fact]
    public async Task Hosts_share_one_memory_per_channel_host_so_a_replay_on_a_new_connection_is_refused()
    {
        await using var h = ChannelHarness.Create(tcp: true);
        var hello = Hello(TestKeys.Gateway, DateTimeOffset.UtcNow);
        Assert.Equal(HandshakeMessages.ServerHelloType, await FirstAnswerAsync(h.Port, hello));
        Assert.Equal(HandshakeMessages.AlertType, await FirstAnswerAsync(h.Port, hello));
    }

    private static async Task<byte> FirstAnswerAsync(int port, byte[] hello)
    {
        await using var socket = await TcpTransport.ConnectAsync("127.0.0.1", port, default);
        await socket.WriteAsync(hello);
        var first = new byte[1];
        await socket.ReadExactlyAsync(first).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        return first[0];
    }

    private const int HelloKeyOffset = HandshakeMessages.HeaderLength + HandshakeMessages.RandomLength + HandshakeMessages.X25519Length
        + HandshakeMessages.MLKemEncapsulationKeyLength;
    private const int HelloTimeOffset = HandshakeMessages.RandomLength + HandshakeMessages.X25519Length
        + HandshakeMessages.MLKemEncapsulationKeyLength + HybridPublicKey.EncodedLength;

    private sealed class CountingEntropy : IHandshakeEntropy
    {
        private int _drawn;
        public int Drawn => Volatile.Read(ref _drawn);
        public void Fill(Span<byte> buffer)
        {
            Interlocked.Add(ref _drawn, buffer.Length);
            RandomNumberGenerator.Fill(buffer);
        }
    }
}
