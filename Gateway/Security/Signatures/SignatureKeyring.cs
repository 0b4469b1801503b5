using Microsoft.Extensions.Options;

namespace Gateway.Security;

public sealed record SignatureKey(string Id, string Algorithm, byte[] Material, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt, bool Revoked);

/// <summary>The configured signature keys, decoded once. Bad key material stops the start (see <see cref="SignatureKeyCheck"/>).</summary>
public sealed class SignatureKeyring
{
    public const string Ed25519 = "ed25519";
    public const string HmacSha256 = "hmac-sha256";
    private readonly Dictionary<string, SignatureKey> _keys = new(StringComparer.Ordinal);

    public SignatureKeyring(IOptions<SecurityOptions> options)
    {
        foreach (var (id, key) in options.Value.Signatures.Keys)
        {
            if (Decode(id, key, out var material) is null)
                _keys[id] = new SignatureKey(id, key.Algorithm.ToLowerInvariant(), material, key.Scopes, key.ExpiresAt, key.Revoked);
        }
    }

    public SignatureKey? Find(string keyId) => _keys.GetValueOrDefault(keyId);

    /// <summary>Null when the key is usable, else what is wrong with it (naming the setting, never its value).</summary>
    public static string? Decode(string id, SignatureKeyOptions key, out byte[] material)
    {
        material = [];
        var at = $"Gateway:Security:Signatures:Keys:{id}";
        switch (key.Algorithm.ToLowerInvariant())
        {
            case Ed25519:
                if (!TryBase64(key.PublicKey, out material) || material.Length != 32)
                    return $"{at}:PublicKey must be the raw 32-byte ed25519 public key, base64.";
                return null;
            case HmacSha256:
                if (!TryBase64(key.Secret, out material) || material.Length < 32)
                    return $"{at}:Secret must be base64 of at least 32 random bytes.";
                return null;
            default:
                return $"{at}:Algorithm must be '{Ed25519}' or '{HmacSha256}'.";
        }
    }

    private static bool TryBase64(string? text, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrWhiteSpace(text)) return false;
        try { bytes = Convert.FromBase64String(text.Trim()); return true; }
        catch (FormatException) { return false; }
    }
}
