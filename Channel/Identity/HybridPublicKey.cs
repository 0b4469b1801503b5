using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Gateway.Channel.Identity;

/// <summary>
/// A node's public identity: Ed25519 (32 bytes) followed by ML-DSA-65 (1952 bytes).
/// A hybrid signature verifies only if both halves verify.
/// </summary>
public sealed class HybridPublicKey : IEquatable<HybridPublicKey>
{
    public const int Ed25519Length = 32;
    public const int MLDsaLength = 1952;
    public const int EncodedLength = Ed25519Length + MLDsaLength;

    private readonly byte[] _encoded;
    private readonly Ed25519PublicKeyParameters _ed;
    private readonly MLDsaPublicKeyParameters _mlDsa;

    private HybridPublicKey(byte[] encoded)
    {
        _encoded = encoded;
        _ed = new Ed25519PublicKeyParameters(encoded, 0);
        _mlDsa = MLDsaPublicKeyParameters.FromEncoding(MLDsaParameters.ml_dsa_65, encoded[Ed25519Length..]);
        Fingerprint = KeyFingerprint.Of(encoded);
    }

    /// <summary>SHA-256 of the encoded key; what configuration pins.</summary>
    public KeyFingerprint Fingerprint { get; }

    public ReadOnlySpan<byte> Encoded => _encoded;

    /// <summary>Parses an encoded key; throws <see cref="FormatException"/> on a wrong length or an invalid point.</summary>
    public static HybridPublicKey FromEncoded(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length != EncodedLength)
            throw new FormatException($"A CTP-96 public key is {EncodedLength} bytes, not {encoded.Length}.");
        try { return new HybridPublicKey(encoded.ToArray()); }
        catch (Exception e) when (e is not FormatException) { throw new FormatException("The CTP-96 public key is malformed.", e); }
    }

    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != HybridSignature.Length) return false;
        var ed = new Ed25519Signer();
        ed.Init(false, _ed);
        ed.BlockUpdate(message);
        var edOk = ed.VerifySignature(signature[..HybridSignature.Ed25519Length].ToArray());
        var ml = new MLDsaSigner(MLDsaParameters.ml_dsa_65, deterministic: true);
        ml.Init(false, _mlDsa);
        ml.BlockUpdate(message);
        var mlOk = ml.VerifySignature(signature[HybridSignature.Ed25519Length..].ToArray());
        // Both halves are always checked so the time taken does not tell which half failed.
        return edOk & mlOk;
    }

    /// <summary>The Ed25519 half alone: the cheap check of a ClientHello's proof (never a session's authentication).</summary>
    internal bool VerifyEd25519(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != HybridSignature.Ed25519Length) return false;
        var ed = new Ed25519Signer();
        ed.Init(false, _ed);
        ed.BlockUpdate(message);
        return ed.VerifySignature(signature.ToArray());
    }

    public string ToText() => "ctp96-pub:" + Convert.ToBase64String(_encoded);

    public static HybridPublicKey Parse(string text)
    {
        text = text.Trim();
        const string prefix = "ctp96-pub:";
        if (!text.StartsWith(prefix, StringComparison.Ordinal))
            throw new FormatException("A CTP-96 public key starts with 'ctp96-pub:'.");
        byte[] bytes;
        try { bytes = Convert.FromBase64String(text[prefix.Length..]); }
        catch (FormatException) { throw new FormatException("The CTP-96 public key is not valid base64."); }
        return FromEncoded(bytes);
    }

    public bool Equals(HybridPublicKey? other) => other is not null && CryptographicOperations.FixedTimeEquals(_encoded, other._encoded);
    public override bool Equals(object? obj) => Equals(obj as HybridPublicKey);
    public override int GetHashCode() => Fingerprint.GetHashCode();
    public override string ToString() => Fingerprint.ToString();
}
