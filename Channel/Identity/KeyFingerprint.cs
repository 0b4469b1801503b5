using System.Security.Cryptography;

namespace Gateway.Channel.Identity;

/// <summary>SHA-256 of an encoded <see cref="HybridPublicKey"/>, written "sha256:" + lower-case hex.</summary>
public readonly struct KeyFingerprint : IEquatable<KeyFingerprint>
{
    private readonly byte[] _bytes;

    public KeyFingerprint(ReadOnlySpan<byte> sha256)
    {
        if (sha256.Length != 32) throw new FormatException("A key fingerprint is 32 bytes.");
        _bytes = sha256.ToArray();
    }

    public ReadOnlySpan<byte> Bytes => _bytes;

    public static KeyFingerprint Of(ReadOnlySpan<byte> encodedKey) => new(SHA256.HashData(encodedKey));

    public static KeyFingerprint Parse(string text)
    {
        var t = text.Trim();
        if (t.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase)) t = t[7..];
        if (t.Length != 64) throw new FormatException("A key fingerprint is 'sha256:' followed by 64 hex digits.");
        try { return new KeyFingerprint(Convert.FromHexString(t)); }
        catch (FormatException) { throw new FormatException("A key fingerprint is 'sha256:' followed by 64 hex digits."); }
    }

    public bool Equals(KeyFingerprint other) => _bytes is not null && other._bytes is not null && _bytes.AsSpan().SequenceEqual(other._bytes);
    public override bool Equals(object? obj) => obj is KeyFingerprint f && Equals(f);
    public override int GetHashCode() => _bytes is null ? 0 : BitConverter.ToInt32(_bytes, 0);
    public override string ToString() => _bytes is null ? "" : "sha256:" + Convert.ToHexStringLower(_bytes);
    public static bool operator ==(KeyFingerprint a, KeyFingerprint b) => a.Equals(b);
    public static bool operator !=(KeyFingerprint a, KeyFingerprint b) => !a.Equals(b);
}
