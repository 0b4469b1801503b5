using System.Security.Cryptography;
using Gateway.Channel.Identity;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;

namespace Gateway.Channel.Handshake;

/// <summary>
/// One round trip: ClientHello (with an Ed25519 proof of the client key) → ServerHello (signed) → ClientFinished
/// (signed, sent with the client's first frames).
/// The transcript hash th = SHA-256(ClientHello || ServerHello) binds both signatures and the traffic keys.
/// </summary>
public static class ChannelHandshake
{
    internal static readonly byte[] ServerSignatureLabel = "CTP-96 v1 server signature\0"u8.ToArray();
    internal static readonly byte[] ClientSignatureLabel = "CTP-96 v1 client signature\0"u8.ToArray();

    /// <param name="clock">The wall clock the ClientHello's time comes from (the host refuses one outside its window).</param>
    public static async Task<HandshakeResult> ClientAsync(Stream transport, HybridSigningKey localKey, PeerPins serverPins,
        IHandshakeEntropy? entropy, CancellationToken ct, TimeProvider? clock = null)
    {
        entropy ??= SystemEntropy.Instance;
        var random = new byte[HandshakeMessages.RandomLength];
        entropy.Fill(random);
        var xSeed = new byte[32];
        entropy.Fill(xSeed);
        var xPrivate = new X25519PrivateKeyParameters(xSeed);
        var kemSeed = new byte[64];
        entropy.Fill(kemSeed);
        var kemPrivate = MLKemPrivateKeyParameters.FromSeed(MLKemParameters.ml_kem_768, kemSeed);
        CryptographicOperations.ZeroMemory(xSeed);
        CryptographicOperations.ZeroMemory(kemSeed);

        var clientHello = ClientHello.Create(random, xPrivate.GeneratePublicKey().GetEncoded(),
            kemPrivate.GetPublicKeyEncoded(), localKey, (clock ?? TimeProvider.System).GetUtcNow());
        await transport.WriteAsync(clientHello, ct);
        await transport.FlushAsync(ct);

        var serverHelloBytes = await HandshakeMessages.ReadAsync(transport, HandshakeMessages.ServerHelloType, ct);
        var serverHello = ServerHello.Parse(serverHelloBytes);
        if (!serverPins.Contains(serverHello.Identity))
        {
            await SendAlertAsync(transport, HandshakeFailure.PeerKeyMismatch, ct);
            throw new HandshakeException(HandshakeFailure.PeerKeyMismatch,
                $"The bridge host presented key {serverHello.Identity.Fingerprint}, which is not the pinned key.");
        }

        var unsignedLength = HandshakeMessages.HeaderLength + HandshakeMessages.ServerHelloUnsignedLength;
        var serverSigned = SignedMessage(ServerSignatureLabel, clientHello, serverHelloBytes.AsSpan(0, unsignedLength));
        if (!serverHello.Identity.Verify(serverSigned, serverHello.Signature))
        {
            await SendAlertAsync(transport, HandshakeFailure.BadSignature, ct);
            throw new HandshakeException(HandshakeFailure.BadSignature, "The bridge host's transcript signature does not verify.");
        }

        var kemSecret = new byte[32];
        try
        {
            var decapsulator = new MLKemDecapsulator(MLKemParameters.ml_kem_768);
            decapsulator.Init(kemPrivate);
            decapsulator.Decapsulate(serverHello.MLKemCiphertext, kemSecret);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new HandshakeException(HandshakeFailure.Malformed, "The ML-KEM ciphertext is malformed.", inner: e);
        }
        var xSecret = X25519Secret(xPrivate, serverHello.X25519);

        var transcriptHash = TranscriptHash(clientHello, serverHelloBytes);
        var (c2s, s2c) = KeySchedule.TrafficSecrets(kemSecret, xSecret, transcriptHash);
        CryptographicOperations.ZeroMemory(kemSecret);
        CryptographicOperations.ZeroMemory(xSecret);

        var finished = HandshakeMessages.Build(HandshakeMessages.ClientFinishedType,
            localKey.Sign(Concat(ClientSignatureLabel, transcriptHash)));
        await transport.WriteAsync(finished, ct);
        await transport.FlushAsync(ct);
        return new HandshakeResult(c2s, s2c, transcriptHash, serverHello.Identity);
    }

    /// <param name="helloGuard">
    /// The host's memory of hellos (shared by its connections, so a replay on another connection is refused); null
    /// checks freshness and proof against the system clock with a memory of this one handshake.
    /// </param>
    public static async Task<HandshakeResult> ServerAsync(Stream transport, HybridSigningKey localKey, PeerPins clientPins,
        IHandshakeEntropy? entropy, CancellationToken ct, ClientHelloGuard? helloGuard = null)
    {
        entropy ??= SystemEntropy.Instance;
        helloGuard ??= new ClientHelloGuard();
        byte[] clientHelloBytes;
        ClientHello clientHello;
        try
        {
            clientHelloBytes = await HandshakeMessages.ReadAsync(transport, HandshakeMessages.ClientHelloType, ct);
            clientHello = ClientHello.Parse(clientHelloBytes);
        }
        catch (HandshakeException e) when (e.Reason is HandshakeFailure.Malformed or HandshakeFailure.WrongVersion)
        {
            await SendAlertAsync(transport, e.Reason, ct);
            throw;
        }
        if (!clientPins.Contains(clientHello.Identity))
        {
            await SendAlertAsync(transport, HandshakeFailure.UnknownPeerKey, ct);
            throw new HandshakeException(HandshakeFailure.UnknownPeerKey,
                $"Client key {clientHello.Identity.Fingerprint} is not pinned on this bridge host.");
        }
        // Before any work that costs (encapsulation, X25519, the hybrid signature): a fresh, proven, unused hello.
        try { helloGuard.Admit(clientHelloBytes, clientHello); }
        catch (HandshakeException e)
        {
            await SendAlertAsync(transport, e.Reason, ct);
            throw;
        }

        MLKemPublicKeyParameters kemPublic;
        try { kemPublic = MLKemPublicKeyParameters.FromEncoding(MLKemParameters.ml_kem_768, clientHello.MLKemEncapsulationKey); }
        catch (Exception e)
        {
            await SendAlertAsync(transport, HandshakeFailure.Malformed, ct);
            throw new HandshakeException(HandshakeFailure.Malformed, "The ML-KEM encapsulation key is malformed.", inner: e);
        }

        var random = new byte[HandshakeMessages.RandomLength];
        entropy.Fill(random);
        var xSeed = new byte[32];
        entropy.Fill(xSeed);
        var xPrivate = new X25519PrivateKeyParameters(xSeed);
        CryptographicOperations.ZeroMemory(xSeed);

        var encapsulator = new MLKemEncapsulator(MLKemParameters.ml_kem_768);
        encapsulator.Init(new ParametersWithRandom(kemPublic, new EntropySecureRandom(entropy)));
        var ciphertext = new byte[encapsulator.EncapsulationLength];
        var kemSecret = new byte[encapsulator.SecretLength];
        encapsulator.Encapsulate(ciphertext, kemSecret);
        byte[] xSecret;
        try { xSecret = X25519Secret(xPrivate, clientHello.X25519); }
        catch (HandshakeException)
        {
            await SendAlertAsync(transport, HandshakeFailure.Malformed, ct);
            throw;
        }

        var serverHello = ServerHello.EncodeUnsigned(random, xPrivate.GeneratePublicKey().GetEncoded(), ciphertext, localKey.PublicKey);
        var unsignedLength = HandshakeMessages.HeaderLength + HandshakeMessages.ServerHelloUnsignedLength;
        var signature = localKey.Sign(SignedMessage(ServerSignatureLabel, clientHelloBytes, serverHello.AsSpan(0, unsignedLength)));
        signature.CopyTo(serverHello, unsignedLength);
        await transport.WriteAsync(serverHello, ct);
        await transport.FlushAsync(ct);

        var transcriptHash = TranscriptHash(clientHelloBytes, serverHello);
        var (c2s, s2c) = KeySchedule.TrafficSecrets(kemSecret, xSecret, transcriptHash);
        CryptographicOperations.ZeroMemory(kemSecret);
        CryptographicOperations.ZeroMemory(xSecret);

        var finished = await HandshakeMessages.ReadAsync(transport, HandshakeMessages.ClientFinishedType, ct);
        if (!clientHello.Identity.Verify(Concat(ClientSignatureLabel, transcriptHash), finished.AsSpan(HandshakeMessages.HeaderLength)))
        {
            await SendAlertAsync(transport, HandshakeFailure.BadSignature, ct);
            throw new HandshakeException(HandshakeFailure.BadSignature, "The client's transcript signature does not verify.");
        }
        return new HandshakeResult(s2c, c2s, transcriptHash, clientHello.Identity);
    }

    internal static byte[] TranscriptHash(ReadOnlySpan<byte> clientHello, ReadOnlySpan<byte> serverHello)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(clientHello);
        hash.AppendData(serverHello);
        return hash.GetHashAndReset();
    }

    /// <summary>label || SHA-256(ClientHello || ServerHello without its signature).</summary>
    private static byte[] SignedMessage(byte[] label, ReadOnlySpan<byte> clientHello, ReadOnlySpan<byte> serverHelloUnsigned) =>
        Concat(label, TranscriptHash(clientHello, serverHelloUnsigned));

    private static byte[] Concat(byte[] a, byte[] b)
    {
        var r = new byte[a.Length + b.Length];
        a.CopyTo(r, 0);
        b.CopyTo(r, a.Length);
        return r;
    }

    private static byte[] X25519Secret(X25519PrivateKeyParameters privateKey, byte[] peerPublic)
    {
        var secret = new byte[32];
        try { privateKey.GenerateSecret(new X25519PublicKeyParameters(peerPublic), secret); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new HandshakeException(HandshakeFailure.Malformed, "The X25519 share is invalid.", inner: e);
        }
        return secret;
    }

    private static async Task SendAlertAsync(Stream transport, HandshakeFailure reason, CancellationToken ct)
    {
        try
        {
            await transport.WriteAsync(HandshakeMessages.Build(HandshakeMessages.AlertType, [(byte)reason]), ct);
            await transport.FlushAsync(ct);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The alert is a courtesy; the handshake fails either way.
        }
    }
}
