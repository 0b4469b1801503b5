using System.Security.Cryptography;
using System.Text;

namespace Gateway.Channel.Handshake;

/// <summary>
/// prk = HKDF-Extract(salt "CTP-96 v1", ML-KEM-768 secret || X25519 secret);
/// per-direction traffic secret = HKDF-Expand(prk, "ctp96 c2s"|"ctp96 s2c" || transcript hash, 32);
/// from a traffic secret: key = Expand(secret, "ctp96 key", 32), iv = Expand(secret, "ctp96 iv", 12),
/// next secret (KEY_UPDATE) = Expand(secret, "ctp96 next", 32).
/// </summary>
public static class KeySchedule
{
    public static readonly byte[] ExtractSalt = "CTP-96 v1"u8.ToArray();

    public static (byte[] ClientToServer, byte[] ServerToClient) TrafficSecrets(ReadOnlySpan<byte> mlKemSecret, ReadOnlySpan<byte> x25519Secret, ReadOnlySpan<byte> transcriptHash)
    {
        Span<byte> ikm = stackalloc byte[mlKemSecret.Length + x25519Secret.Length];
        mlKemSecret.CopyTo(ikm);
        x25519Secret.CopyTo(ikm[mlKemSecret.Length..]);
        Span<byte> prk = stackalloc byte[32];
        HKDF.Extract(HashAlgorithmName.SHA256, ikm, ExtractSalt, prk);
        CryptographicOperations.ZeroMemory(ikm);
        var c2s = Expand(prk, "ctp96 c2s", transcriptHash, 32);
        var s2c = Expand(prk, "ctp96 s2c", transcriptHash, 32);
        CryptographicOperations.ZeroMemory(prk);
        return (c2s, s2c);
    }

    public static byte[] FrameKey(ReadOnlySpan<byte> trafficSecret) => Expand(trafficSecret, "ctp96 key", default, 32);
    public static byte[] FrameIv(ReadOnlySpan<byte> trafficSecret) => Expand(trafficSecret, "ctp96 iv", default, 12);
    public static byte[] NextSecret(ReadOnlySpan<byte> trafficSecret) => Expand(trafficSecret, "ctp96 next", default, 32);

    private static byte[] Expand(ReadOnlySpan<byte> prk, string label, ReadOnlySpan<byte> context, int length)
    {
        var info = new byte[Encoding.ASCII.GetByteCount(label) + context.Length];
        var n = Encoding.ASCII.GetBytes(label, info);
        context.CopyTo(info.AsSpan(n));
        var output = new byte[length];
        HKDF.Expand(HashAlgorithmName.SHA256, prk, output, info);
        return output;
    }
}
