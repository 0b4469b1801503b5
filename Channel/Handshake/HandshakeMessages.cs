using System.Buffers.Binary;
using System.Security.Cryptography;
using Gateway.Channel.Identity;

namespace Gateway.Channel.Handshake;

/// <summary>
/// Handshake message framing: type (1) | version (1) | body length (3, big-endian) | body.
/// Every body has a fixed size, so a parser never allocates more than the largest of them.
/// </summary>
internal static class HandshakeMessages
{
    public const byte Version = 1;
    public const int HeaderLength = 5;

    public const byte ClientHelloType = 1;
    public const byte ServerHelloType = 2;
    public const byte ClientFinishedType = 3;
    public const byte AlertType = 4;

    public const int RandomLength = 32;
    public const int X25519Length = 32;
    public const int MLKemEncapsulationKeyLength = 1184;
    public const int MLKemCiphertextLength = 1088;
    public const int TimestampLength = 8;
    public const int ProofLength = HybridSignature.Ed25519Length;

    public const int ClientHelloLength = RandomLength + X25519Length + MLKemEncapsulationKeyLength + HybridPublicKey.EncodedLength
        + TimestampLength + ProofLength;
    public const int ServerHelloUnsignedLength = RandomLength + X25519Length + MLKemCiphertextLength + HybridPublicKey.EncodedLength;
    public const int ServerHelloLength = ServerHelloUnsignedLength + HybridSignature.Length;
    public const int ClientFinishedLength = HybridSignature.Length;
    public const int AlertLength = 1;

    public static int BodyLength(byte type) => type switch
    {
        ClientHelloType => ClientHelloLength,
        ServerHelloType => ServerHelloLength,
        ClientFinishedType => ClientFinishedLength,
        AlertType => AlertLength,
        _ => -1,
    };

    public static byte[] Build(byte type, ReadOnlySpan<byte> body, byte version = Version)
    {
        var message = new byte[HeaderLength + body.Length];
        message[0] = type;
        message[1] = version;
        message[2] = (byte)(body.Length >> 16);
        message[3] = (byte)(body.Length >> 8);
        message[4] = (byte)body.Length;
        body.CopyTo(message.AsSpan(HeaderLength));
        return message;
    }

    /// <summary>
    /// Checks a message header. Returns the body length, or throws a specific <see cref="HandshakeException"/>.
    /// An ALERT is accepted whatever the expected type so the caller can report the peer's reason.
    /// </summary>
    public static int ParseHeader(ReadOnlySpan<byte> header, byte expectedType)
    {
        if (header.Length < HeaderLength) throw new HandshakeException(HandshakeFailure.Malformed, "Handshake message header is truncated.");
        var type = header[0];
        if (type != expectedType && type != AlertType)
            throw new HandshakeException(HandshakeFailure.Malformed, $"Expected handshake message type {expectedType}, got {type}.");
        if (header[1] != Version)
            throw new HandshakeException(HandshakeFailure.WrongVersion, $"Unsupported CTP-96 version {header[1]}; this node speaks version {Version}.");
        var length = (header[2] << 16) | (header[3] << 8) | header[4];
        if (length != BodyLength(type))
            throw new HandshakeException(HandshakeFailure.Malformed, $"Handshake message type {type} has length {length}, expected {BodyLength(type)}.");
        return length;
    }

    /// <summary>Reads one message into a new array (header included). Never reads past it.</summary>
    public static async Task<byte[]> ReadAsync(Stream stream, byte expectedType, CancellationToken ct)
    {
        var header = new byte[HeaderLength];
        await ReadExactAsync(stream, header, ct);
        var length = ParseHeader(header, expectedType);
        var message = new byte[HeaderLength + length];
        header.CopyTo(message, 0);
        await ReadExactAsync(stream, message.AsMemory(HeaderLength), ct);
        if (message[0] == AlertType)
        {
            var reason = (HandshakeFailure)message[HeaderLength];
            throw new HandshakeException(HandshakeFailure.RejectedByPeer, $"The peer ended the handshake: {reason}.", reason);
        }
        return message;
    }

    private static async Task ReadExactAsync(Stream stream, Memory<byte> buffer, CancellationToken ct)
    {
        try { await stream.ReadExactlyAsync(buffer, ct); }
        catch (EndOfStreamException e) { throw new HandshakeException(HandshakeFailure.ConnectionClosed, "The connection closed during the handshake.", inner: e); }
        catch (IOException e) { throw new HandshakeException(HandshakeFailure.ConnectionClosed, "The connection failed during the handshake.", inner: e); }
    }

    public static ushort ReadU16(ReadOnlySpan<byte> s) => BinaryPrimitives.ReadUInt16BigEndian(s);
}

/// <summary>
/// The client's first message. Its last two fields let a bridge host refuse a hello cheaply, before it encapsulates or
/// signs anything: the client's clock (Unix milliseconds) and an Ed25519 proof by the client key it names over
/// everything before the proof (<see cref="ClientHelloGuard"/>).
/// </summary>
internal sealed record ClientHello(byte[] Random, byte[] X25519, byte[] MLKemEncapsulationKey, HybridPublicKey Identity, long TimestampMs, byte[] Proof)
{
    internal static readonly byte[] ProofLabel = "CTP-96 v1 client hello proof\0"u8.ToArray();

    /// <summary>A hello proven with <paramref name="key"/> (whose public key it names) at <paramref name="time"/>.</summary>
    public static byte[] Create(byte[] random, byte[] x25519, byte[] encapsulationKey, HybridSigningKey key, DateTimeOffset time)
    {
        var message = new ClientHello(random, x25519, encapsulationKey, key.PublicKey, time.ToUnixTimeMilliseconds(), new byte[HandshakeMessages.ProofLength]).Encode();
        key.SignEd25519(ProofMessage(message)).CopyTo(message, message.Length - HandshakeMessages.ProofLength);
        return message;
    }

    /// <summary>label || SHA-256(the ClientHello message, header included, without its proof).</summary>
    public static byte[] ProofMessage(ReadOnlySpan<byte> clientHelloMessage) =>
        [.. ProofLabel, .. SHA256.HashData(clientHelloMessage[..^HandshakeMessages.ProofLength])];

    public byte[] Encode()
    {
        var body = new byte[HandshakeMessages.ClientHelloLength];
        var s = body.AsSpan();
        Random.CopyTo(s); s = s[HandshakeMessages.RandomLength..];
        X25519.CopyTo(s); s = s[HandshakeMessages.X25519Length..];
        MLKemEncapsulationKey.CopyTo(s); s = s[HandshakeMessages.MLKemEncapsulationKeyLength..];
        Identity.Encoded.CopyTo(s); s = s[HybridPublicKey.EncodedLength..];
        BinaryPrimitives.WriteInt64BigEndian(s, TimestampMs); s = s[HandshakeMessages.TimestampLength..];
        Proof.CopyTo(s);
        return HandshakeMessages.Build(HandshakeMessages.ClientHelloType, body);
    }

    public static ClientHello Parse(ReadOnlySpan<byte> message)
    {
        if (message.Length != HandshakeMessages.HeaderLength + HandshakeMessages.ClientHelloLength)
            throw new HandshakeException(HandshakeFailure.Malformed, "ClientHello has the wrong length.");
        var s = message[HandshakeMessages.HeaderLength..];
        var random = s[..32].ToArray(); s = s[32..];
        var x = s[..32].ToArray(); s = s[32..];
        var ek = s[..HandshakeMessages.MLKemEncapsulationKeyLength].ToArray(); s = s[HandshakeMessages.MLKemEncapsulationKeyLength..];
        var key = ParseKey(s); s = s[HybridPublicKey.EncodedLength..];
        var timestamp = BinaryPrimitives.ReadInt64BigEndian(s); s = s[HandshakeMessages.TimestampLength..];
        return new ClientHello(random, x, ek, key, timestamp, s.ToArray());
    }

    internal static HybridPublicKey ParseKey(ReadOnlySpan<byte> s)
    {
        try { return HybridPublicKey.FromEncoded(s[..HybridPublicKey.EncodedLength]); }
        catch (FormatException e) { throw new HandshakeException(HandshakeFailure.Malformed, "The peer's public key is malformed.", inner: e); }
    }
}

internal sealed record ServerHello(byte[] Random, byte[] X25519, byte[] MLKemCiphertext, HybridPublicKey Identity, byte[] Signature)
{
    public static byte[] EncodeUnsigned(byte[] random, byte[] x25519, byte[] ciphertext, HybridPublicKey identity)
    {
        var body = new byte[HandshakeMessages.ServerHelloLength];
        var s = body.AsSpan();
        random.CopyTo(s); s = s[32..];
        x25519.CopyTo(s); s = s[32..];
        ciphertext.CopyTo(s); s = s[HandshakeMessages.MLKemCiphertextLength..];
        identity.Encoded.CopyTo(s);
        // The signature slot stays zero until the caller fills it (message[^HybridSignature.Length..]).
        return HandshakeMessages.Build(HandshakeMessages.ServerHelloType, body);
    }

    public static ServerHello Parse(ReadOnlySpan<byte> message)
    {
        if (message.Length != HandshakeMessages.HeaderLength + HandshakeMessages.ServerHelloLength)
            throw new HandshakeException(HandshakeFailure.Malformed, "ServerHello has the wrong length.");
        var s = message[HandshakeMessages.HeaderLength..];
        var random = s[..32].ToArray(); s = s[32..];
        var x = s[..32].ToArray(); s = s[32..];
        var ct = s[..HandshakeMessages.MLKemCiphertextLength].ToArray(); s = s[HandshakeMessages.MLKemCiphertextLength..];
        var key = ClientHello.ParseKey(s); s = s[HybridPublicKey.EncodedLength..];
        return new ServerHello(random, x, ct, key, s.ToArray());
    }
}
