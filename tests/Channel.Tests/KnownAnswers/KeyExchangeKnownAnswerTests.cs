using Gateway.Channel.Handshake;
using Gateway.Channel.Transport;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Gateway.Channel.Tests.KnownAnswers;

/// <summary>
/// X25519 (RFC 7748) and ML-KEM-768 (FIPS 203, NIST ACVP) vectors driven through the product's real handshake:
/// the vector's private inputs go in as the handshake's entropy, the test plays the other side by hand, and the
/// published public values, ciphertext and shared secrets must come out on the wire and in the traffic secrets.
/// </summary>
public class KeyExchangeKnownAnswerTests
{
    private static readonly KnownAnswerFile X25519 = KnownAnswerFile.Load("rfc7748-x25519.txt");
    private static readonly byte[] AnyRandom = Enumerable.Repeat((byte)0x77, HandshakeMessages.RandomLength).ToArray();
    private const int X25519Offset = HandshakeMessages.HeaderLength + HandshakeMessages.RandomLength;
    private const int MLKemOffset = X25519Offset + HandshakeMessages.X25519Length;

    [Fact]
    public async Task Client_sends_the_RFC_7748_share_and_a_FIPS_203_key_and_derives_the_RFC_7748_secret()
    {
        // ML-KEM seed d || z from NIST's FIPS 203 key-generation vector: the ClientHello must carry its published key.
        var keyGen = KnownAnswerFile.Load("mlkem768-keygen.txt");
        var entropy = new ScriptedEntropy(AnyRandom, X25519.Get("alice_private"), [.. keyGen.Get("d"), .. keyGen.Get("z")]);
        var (clientEnd, testEnd) = DuplexPipe.CreatePair();
        var client = ChannelHandshake.ClientAsync(clientEnd, TestKeys.Gateway, PeerPins.Of(TestKeys.Host.PublicKey), entropy, default);

        var clientHello = await HandshakeMessages.ReadAsync(testEnd, HandshakeMessages.ClientHelloType, default).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Convert.ToHexString(X25519.Get("alice_public")), Convert.ToHexString(clientHello.AsSpan(X25519Offset, HandshakeMessages.X25519Length)));
        var ek = clientHello.AsSpan(MLKemOffset, HandshakeMessages.MLKemEncapsulationKeyLength).ToArray();
        Assert.Equal(Convert.ToHexString(keyGen.Get("ek")), Convert.ToHexString(ek));

        // The test is the host: Bob's X25519 share and an ML-KEM ciphertext to the client's encapsulation key.
        var encapsulator = new MLKemEncapsulator(MLKemParameters.ml_kem_768);
        encapsulator.Init(new ParametersWithRandom(MLKemPublicKeyParameters.FromEncoding(MLKemParameters.ml_kem_768, ek), new SecureRandom()));
        var ciphertext = new byte[encapsulator.EncapsulationLength];
        var kemSecret = new byte[encapsulator.SecretLength];
        encapsulator.Encapsulate(ciphertext, kemSecret);
        var serverHello = ServerHello.EncodeUnsigned(AnyRandom, X25519.Get("bob_public"), ciphertext, TestKeys.Host.PublicKey);
        var unsigned = HandshakeMessages.HeaderLength + HandshakeMessages.ServerHelloUnsignedLength;
        TestKeys.Host.Sign([.. ChannelHandshake.ServerSignatureLabel, .. ChannelHandshake.TranscriptHash(clientHello, serverHello.AsSpan(0, unsigned))])
            .CopyTo(serverHello, unsigned);
        await testEnd.WriteAsync(serverHello);
        await testEnd.FlushAsync();

        var result = await client.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, entropy.Remaining);
        var transcript = ChannelHandshake.TranscriptHash(clientHello, serverHello);
        var (c2s, s2c) = KeySchedule.TrafficSecrets(kemSecret, X25519.Get("shared"), transcript);
        Assert.Equal(c2s, result.SendSecret);
        Assert.Equal(s2c, result.ReceiveSecret);
    }

    [Fact]
    public async Task Host_encapsulates_the_FIPS_203_vector_and_derives_the_RFC_7748_secret()
    {
        var encaps = KnownAnswerFile.Load("mlkem768-encaps.txt");
        // Host entropy in the order the host draws it: its random, its X25519 private key, then ML-KEM's message m.
        var entropy = new ScriptedEntropy(AnyRandom, X25519.Get("bob_private"), encaps.Get("m"));
        var (testEnd, hostEnd) = DuplexPipe.CreatePair();
        var host = ChannelHandshake.ServerAsync(hostEnd, TestKeys.Host, PeerPins.Of(TestKeys.Gateway.PublicKey), entropy, default);

        var clientHello = ClientHello.Create(AnyRandom, X25519.Get("alice_public"), encaps.Get("ek"), TestKeys.Gateway, DateTimeOffset.UtcNow);
        await testEnd.WriteAsync(clientHello);
        await testEnd.FlushAsync();
        var serverHello = await HandshakeMessages.ReadAsync(testEnd, HandshakeMessages.ServerHelloType, default).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Convert.ToHexString(X25519.Get("bob_public")), Convert.ToHexString(serverHello.AsSpan(X25519Offset, HandshakeMessages.X25519Length)));
        Assert.Equal(Convert.ToHexString(encaps.Get("c")), Convert.ToHexString(serverHello.AsSpan(MLKemOffset, HandshakeMessages.MLKemCiphertextLength)));

        var transcript = ChannelHandshake.TranscriptHash(clientHello, serverHello);
        var finished = HandshakeMessages.Build(HandshakeMessages.ClientFinishedType, TestKeys.Gateway.Sign([.. ChannelHandshake.ClientSignatureLabel, .. transcript]));
        await testEnd.WriteAsync(finished);
        await testEnd.FlushAsync();

        var result = await host.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, entropy.Remaining);
        var (c2s, s2c) = KeySchedule.TrafficSecrets(encaps.Get("k"), X25519.Get("shared"), transcript);
        Assert.Equal(s2c, result.SendSecret);
        Assert.Equal(c2s, result.ReceiveSecret);
    }
}
