using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Gateway.Security.Tests;

/// <summary>An RFC 9421 signer written from the RFC for the tests, independent of the gateway's verifier.</summary>
public sealed class Signer
{
    private readonly Func<byte[], byte[]> _sign;

    private Signer(string keyId, string alg, Func<byte[], byte[]> sign) { KeyId = keyId; Alg = alg; _sign = sign; }

    public string KeyId { get; }
    public string Alg { get; }

    public static Signer Ed25519(string keyId, byte[] seed)
    {
        var key = new Ed25519PrivateKeyParameters(seed, 0);
        return new Signer(keyId, "ed25519", data =>
        {
            var s = new Ed25519Signer();
            s.Init(true, key);
            s.BlockUpdate(data, 0, data.Length);
            return s.GenerateSignature();
        });
    }

    public static byte[] Ed25519PublicKey(byte[] seed) => new Ed25519PrivateKeyParameters(seed, 0).GeneratePublicKey().GetEncoded();

    public static Signer Hmac(string keyId, byte[] secret) => new(keyId, "hmac-sha256", data => HMACSHA256.HashData(secret, data));

    public static string DigestHeader(byte[] body) => $"sha-256=:{Convert.ToBase64String(SHA256.HashData(body))}:";

    /// <summary>Signs <paramref name="request"/> (whose absolute URI is set) and returns the Signature header value.</summary>
    public string Sign(HttpRequestMessage request, string[]? components = null, long? created = null, long? expires = null,
        string? nonce = null, byte[]? body = null, bool setDigest = true)
    {
        if (body is not null && setDigest) request.Content!.Headers.Add("Content-Digest", DigestHeader(body));
        components ??= body is null ? ["@method", "@target-uri"] : ["@method", "@target-uri", "content-digest"];
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var parameters = new StringBuilder("(" + string.Join(" ", components.Select(Item)) + ")");
        parameters.Append($";created={created ?? now}");
        if (expires is not null) parameters.Append($";expires={expires}");
        parameters.Append($";nonce=\"{nonce ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}\"");
        parameters.Append($";keyid=\"{KeyId}\";alg=\"{Alg}\"");
        var lines = components.Select(c => $"{Item(c)}: {(c.Contains(';') ? "x" : Value(request, c))}").Append($"\"@signature-params\": {parameters}");
        var signature = Convert.ToBase64String(_sign(Encoding.UTF8.GetBytes(string.Join("\n", lines))));
        request.Headers.TryAddWithoutValidation("Signature-Input", $"sig1={parameters}");
        request.Headers.TryAddWithoutValidation("Signature", $"sig1=:{signature}:");
        return signature;
    }

    // "name;param=..." is written as a component identifier with parameters.
    private static string Item(string c) => c.Contains(';') ? $"\"{c[..c.IndexOf(';')]}\"{c[c.IndexOf(';')..]}" : $"\"{c}\"";

    private static string Value(HttpRequestMessage request, string component)
    {
        var uri = request.RequestUri!;
        return component switch
        {
            "@method" => request.Method.Method,
            "@target-uri" => uri.GetLeftPart(UriPartial.Authority) + uri.PathAndQuery,
            "@path" => uri.AbsolutePath,
            "@authority" => uri.Authority,
            _ => string.Join(", ", (request.Headers.TryGetValues(component, out var v) ? v
                : request.Content?.Headers.TryGetValues(component, out var cv) == true ? cv : throw new InvalidOperationException(component))
                .Select(x => x.Trim())),
        };
    }
}
