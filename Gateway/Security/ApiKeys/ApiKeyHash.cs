using System.Security.Cryptography;
using System.Text;

namespace Gateway.Security;

/// <summary>
/// API keys are random and long (256 bits), so a plain SHA-256 is enough to store them: there is nothing to
/// brute-force. The stored form is <c>sha256:&lt;64 hex digits&gt;</c>.
/// </summary>
public static class ApiKeyHash
{
    public const string Prefix = "sha256:";

    public static byte[] Compute(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static string Format(string key) => Prefix + Convert.ToHexStringLower(Compute(key));

    public static bool TryParse(string? text, out byte[] hash)
    {
        hash = [];
        if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal) || text.Length != Prefix.Length + 64) return false;
        try { hash = Convert.FromHexString(text.AsSpan(Prefix.Length)); return true; }
        catch (FormatException) { return false; }
    }

    /// <summary>A new key: "gwk_" and 32 random bytes, base64url.</summary>
    public static string NewKey() => "gwk_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
