using System.Buffers.Binary;
using System.Security.Cryptography;
using Gateway.Channel.Identity;

namespace Gateway.Channel.Witnesses;

/// <summary>
/// A bridge host's signed statement about its witness log. Encoding (big-endian): version (1) = 0x01 |
/// tree size (8) | root hash (32) | timestamp (8, Unix µs) | host key fingerprint (32) | previous head hash (32) |
/// signature (3373) over "CTP-96 v1 tree head\0" || everything before it. The head hash is SHA-256 of the unsigned
/// part; the next head names it, so heads form a chain as well as a tree.
/// </summary>
public sealed record SignedTreeHead
{
    public const byte CurrentVersion = 1;
    public const int BodyLength = 1 + 8 + 32 + 8 + 32 + 32;
    public const int EncodedLength = BodyLength + HybridSignature.Length;
    internal static readonly byte[] SignatureLabel = "CTP-96 v1 tree head\0"u8.ToArray();

    public required long TreeSize { get; init; }
    public required byte[] RootHash { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required byte[] HostKeyFingerprint { get; init; }
    public required byte[] PreviousHeadHash { get; init; }
    public byte[] Signature { get; init; } = [];

    public byte[] EncodeBody()
    {
        if (RootHash.Length != 32 || HostKeyFingerprint.Length != 32 || PreviousHeadHash.Length != 32)
            throw new InvalidOperationException("Tree head hashes are 32 bytes.");
        var body = new byte[BodyLength];
        var span = body.AsSpan();
        span[0] = CurrentVersion;
        BinaryPrimitives.WriteInt64BigEndian(span[1..], TreeSize);
        RootHash.CopyTo(span[9..]);
        BinaryPrimitives.WriteInt64BigEndian(span[41..], Micros.From(Timestamp));
        HostKeyFingerprint.CopyTo(span[49..]);
        PreviousHeadHash.CopyTo(span[81..]);
        return body;
    }

    public byte[] Encode()
    {
        var all = new byte[BodyLength + Signature.Length];
        EncodeBody().CopyTo(all, 0);
        Signature.CopyTo(all, BodyLength);
        return all;
    }

    public byte[] Hash() => SHA256.HashData(EncodeBody());

    public string HostKey => "sha256:" + Convert.ToHexStringLower(HostKeyFingerprint);

    public static byte[] SignedMessage(ReadOnlySpan<byte> body)
    {
        var message = new byte[SignatureLabel.Length + body.Length];
        SignatureLabel.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(SignatureLabel.Length));
        return message;
    }

    public SignedTreeHead SignWith(HybridSigningKey key)
    {
        var unsigned = this with { HostKeyFingerprint = key.PublicKey.Fingerprint.Bytes.ToArray() };
        return unsigned with { Signature = key.Sign(SignedMessage(unsigned.EncodeBody())) };
    }

    /// <summary>Both signature halves verify under <paramref name="hostKey"/>, and the head names that key.</summary>
    public bool VerifySignature(HybridPublicKey hostKey) =>
        hostKey.Fingerprint.Bytes.SequenceEqual(HostKeyFingerprint) && hostKey.Verify(SignedMessage(EncodeBody()), Signature);

    /// <summary>Parses a signed head; throws <see cref="FormatException"/> on anything malformed.</summary>
    public static SignedTreeHead Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length != EncodedLength) throw new FormatException($"A signed tree head is {EncodedLength} bytes.");
        if (data[0] != CurrentVersion) throw new FormatException("Unknown tree head version.");
        var size = BinaryPrimitives.ReadInt64BigEndian(data[1..]);
        if (size < 0) throw new FormatException("A tree size is never negative.");
        return new SignedTreeHead
        {
            TreeSize = size,
            RootHash = data.Slice(9, 32).ToArray(),
            Timestamp = Micros.To(BinaryPrimitives.ReadInt64BigEndian(data[41..])),
            HostKeyFingerprint = data.Slice(49, 32).ToArray(),
            PreviousHeadHash = data.Slice(81, 32).ToArray(),
            Signature = data[BodyLength..].ToArray(),
        };
    }
}

/// <summary>Unix time in microseconds, as witnesses and heads carry it.</summary>
internal static class Micros
{
    public static long From(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset To(long us)
    {
        try { return DateTimeOffset.UnixEpoch.AddTicks(checked(us * 10)); }
        catch (Exception e) when (e is OverflowException or ArgumentOutOfRangeException) { throw new FormatException("A timestamp is out of range."); }
    }
}
