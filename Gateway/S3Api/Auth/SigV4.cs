using System.Security.Cryptography;
using System.Text;

namespace Gateway.S3Api.Auth;

/// <summary>
/// AWS Signature Version 4 primitives (HMAC-SHA256 and SHA-256 from the BCL), as the S3 API reference
/// "Authenticating Requests (AWS Signature Version 4)" defines them.
/// </summary>
public static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string Service = "s3";
    public const string Terminator = "aws4_request";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    public const string StreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    public const string StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    public const string StreamingPayloadTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    public const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    public const string TimeFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").</summary>
    public static byte[] SigningKey(ReadOnlySpan<byte> aws4Secret, string date, string region, string service = Service)
    {
        var k = HMACSHA256.HashData(aws4Secret, Encoding.UTF8.GetBytes(date));
        k = HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(region));
        k = HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(Terminator));
    }

    /// <summary>The "AWS4" + secret bytes the signing key derivation starts from.</summary>
    public static byte[] Aws4Secret(string secret) => Encoding.UTF8.GetBytes("AWS4" + secret);

    public static string Sign(byte[] signingKey, string stringToSign) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));

    public static string HexSha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{HexSha256(canonicalRequest)}";

    /// <summary>The string each aws-chunked chunk signs: it chains the previous signature and hashes the chunk.</summary>
    public static string ChunkStringToSign(string amzDate, string scope, string previousSignature, ReadOnlySpan<byte> chunk) =>
        $"{Algorithm}-PAYLOAD\n{amzDate}\n{scope}\n{previousSignature}\n{EmptySha256}\n{Convert.ToHexStringLower(SHA256.HashData(chunk))}";

    /// <summary>Compares two lowercase hex signatures in constant time.</summary>
    public static bool SignatureEquals(string expected, string presented) =>
        expected.Length == presented.Length
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(presented.ToLowerInvariant()));

    /// <summary>
    /// SigV4 URI encoding: unreserved characters (A-Z a-z 0-9 - . _ ~) stay, everything else is %XX of its UTF-8
    /// bytes, upper-case hex; '/' stays when <paramref name="keepSlash"/> (object key paths).
    /// </summary>
    public static string UriEncode(string value, bool keepSlash) => UriEncode(Encoding.UTF8.GetBytes(value), keepSlash);

    /// <summary>Bytes as SigV4 encodes them: RFC 3986 unreserved characters (and <c>/</c> when kept) as they are, every other byte %XY.</summary>
    public static string UriEncode(IReadOnlyList<byte> bytes, bool keepSlash = false)
    {
        var sb = new StringBuilder(bytes.Count * 3);
        foreach (var b in bytes)
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~'
                || (keepSlash && b == (byte)'/'))
                sb.Append((char)b);
            else sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
