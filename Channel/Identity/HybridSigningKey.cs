using System.Collections.Concurrent;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Gateway.Channel.Identity;

/// <summary>
/// A node's private signing key, kept as two 32-byte seeds (Ed25519 private key, ML-DSA-65 key-generation seed ξ).
/// Seeds keep the key file small and make test vectors reproducible.
/// </summary>
public sealed class HybridSigningKey : IDisposable
{
    public const int SeedLength = 32;

    private readonly byte[] _edSeed;
    private readonly byte[] _mlDsaSeed;
    private readonly Ed25519PrivateKeyParameters _ed;
    private readonly MLDsaPrivateKeyParameters _mlDsa;
    // An initialised ML-DSA signer keeps its expanded key; reusing one saves about a third of each signature.
    private readonly ConcurrentBag<MLDsaSigner> _mlDsaSigners = [];

    private HybridSigningKey(byte[] edSeed, byte[] mlDsaSeed)
    {
        _edSeed = edSeed;
        _mlDsaSeed = mlDsaSeed;
        _ed = new Ed25519PrivateKeyParameters(edSeed);
        _mlDsa = MLDsaPrivateKeyParameters.FromSeed(MLDsaParameters.ml_dsa_65, mlDsaSeed);
        var encoded = new byte[HybridPublicKey.EncodedLength];
        _ed.GeneratePublicKey().Encode(encoded.AsSpan(0, HybridPublicKey.Ed25519Length));
        _mlDsa.GetPublicKeyEncoded().CopyTo(encoded, HybridPublicKey.Ed25519Length);
        PublicKey = HybridPublicKey.FromEncoded(encoded);
    }

    public HybridPublicKey PublicKey { get; }

    public static HybridSigningKey Generate() =>
        new(RandomNumberGenerator.GetBytes(SeedLength), RandomNumberGenerator.GetBytes(SeedLength));

    public static HybridSigningKey FromSeeds(ReadOnlySpan<byte> ed25519Seed, ReadOnlySpan<byte> mlDsaSeed)
    {
        if (ed25519Seed.Length != SeedLength || mlDsaSeed.Length != SeedLength)
            throw new FormatException("Each CTP-96 private key seed is 32 bytes.");
        return new(ed25519Seed.ToArray(), mlDsaSeed.ToArray());
    }

    /// <summary>Signs with both algorithms. ML-DSA runs in its deterministic variant, so equal inputs give equal signatures.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var signature = new byte[HybridSignature.Length];
        var ed = new Ed25519Signer();
        ed.Init(true, _ed);
        ed.BlockUpdate(message);
        ed.GenerateSignature().CopyTo(signature, 0);
        if (!_mlDsaSigners.TryTake(out var ml))
        {
            ml = new MLDsaSigner(MLDsaParameters.ml_dsa_65, deterministic: true);
            ml.Init(true, _mlDsa);
        }
        byte[] mlSig;
        try
        {
            ml.BlockUpdate(message);
            mlSig = ml.GenerateSignature();
        }
        catch
        {
            ml.Reset();
            throw;
        }
        _mlDsaSigners.Add(ml);
        if (mlSig.Length != HybridSignature.MLDsaLength) throw new CryptographicException("Unexpected ML-DSA-65 signature length.");
        mlSig.CopyTo(signature, HybridSignature.Ed25519Length);
        return signature;
    }

    /// <summary>An Ed25519 signature alone (a ClientHello's proof of the key, checked before the host does any work).</summary>
    internal byte[] SignEd25519(ReadOnlySpan<byte> message)
    {
        var ed = new Ed25519Signer();
        ed.Init(true, _ed);
        ed.BlockUpdate(message);
        return ed.GenerateSignature();
    }

    internal ReadOnlySpan<byte> Ed25519Seed => _edSeed;
    internal ReadOnlySpan<byte> MLDsaSeed => _mlDsaSeed;

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_edSeed);
        CryptographicOperations.ZeroMemory(_mlDsaSeed);
    }
}
