using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.S3Api.Auth;

/// <summary>
/// AWS Signature Version 2 for S3 (the S3 API reference, "Signing and authenticating REST requests"): a base64
/// HMAC-SHA1 over method, Content-MD5, Content-Type, date, the x-amz-* headers and the canonicalized resource.
/// Browser POST policies are signed the same way, over the base64 policy.
/// </summary>
public static class SigV2
{
    /// <summary>
    /// The query parameters S3 counts as sub-resources of the canonicalized resource (others are not signed), plus
    /// <c>ownershipControls</c>, <c>publicAccessBlock</c> and <c>attributes</c> (GetObjectAttributes): S3 serves those to
    /// SigV4 only, and the front door acts on them, so they are signed here too; a V2 signer that leaves them out gets SignatureDoesNotMatch rather than an unsigned
    /// parameter turning a signed CreateBucket into another request.
    /// </summary>
    private static readonly HashSet<string> SubResources = new(StringComparer.Ordinal)
    {
        "accelerate", "acl", "analytics", "attributes", "cors", "delete", "encryption", "inventory", "legal-hold", "lifecycle", "location",
        "logging", "metrics", "notification", "object-lock", "ownershipControls", "partNumber", "policy", "publicAccessBlock", "replication", "requestPayment",
        "response-cache-control", "response-content-disposition", "response-content-encoding", "response-content-language",
        "response-content-type", "response-expires", "restore", "retention", "select", "select-type", "tagging", "torrent",
        "uploadId", "uploads", "versionId", "versioning", "versions", "website",
    };

    /// <summary>
    /// The first query parameter whose name is a sub-resource's in another case (<c>ACL</c>, <c>UploadId</c>,
    /// <c>Response-Content-Type</c>), or null. ASP.NET's query lookups ignore case, so the dispatcher would act on such a
    /// parameter while SigV2 (case-sensitive, as S3 is) leaves it out of what is signed: a presigned PUT could be
    /// turned into an UploadPart, a presigned GET into text/html. Such requests are refused before anything reads them.
    /// </summary>
    public static string? CaseVariantSubResource(string rawQuery)
    {
        if (rawQuery.Length == 0) return null;
        foreach (var part in rawQuery.Split('&'))
        {
            var eq = part.IndexOf('=');
            // Decoded as ASP.NET decodes query names ('+' is a space), so every name the dispatcher can see is judged.
            var name = Uri.UnescapeDataString((eq < 0 ? part : part[..eq]).Replace('+', ' '));
            if (!SubResources.Contains(name) && SubResourcesIgnoringCase.Contains(name)) return name;
        }
        return null;
    }

    private static readonly HashSet<string> SubResourcesIgnoringCase = new(SubResources, StringComparer.OrdinalIgnoreCase);

    public static string StringToSign(HttpRequest request, string date, string resourcePath)
    {
        var sb = new StringBuilder(256);
        sb.Append(request.Method).Append('\n');
        sb.Append(request.Headers["Content-MD5"].ToString()).Append('\n');
        sb.Append(request.Headers.ContentType.ToString()).Append('\n');
        sb.Append(date).Append('\n');
        foreach (var (name, value) in AmzHeaders(request)) sb.Append(name).Append(':').Append(value).Append('\n');
        sb.Append(resourcePath);
        var (_, query) = CanonicalRequest.RawTarget(request);
        AppendSubResources(sb, query);
        return sb.ToString();
    }

    /// <summary>x-amz-* headers: lower-case names in order, repeated values joined with ',', each value trimmed.</summary>
    private static IEnumerable<(string Name, string Value)> AmzHeaders(HttpRequest request) =>
        request.Headers
            .Where(h => h.Key.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: h.Key.ToLowerInvariant(), Value: string.Join(',', h.Value.Select(v => (v ?? "").Trim()))))
            .OrderBy(h => h.Name, StringComparer.Ordinal);

    private static void AppendSubResources(StringBuilder sb, string rawQuery)
    {
        if (rawQuery.Length == 0) return;
        var picked = new List<(string Name, string? Value)>();
        foreach (var part in rawQuery.Split('&'))
        {
            var eq = part.IndexOf('=');
            var name = Uri.UnescapeDataString(eq < 0 ? part : part[..eq]);
            if (!SubResources.Contains(name)) continue;
            picked.Add((name, eq < 0 ? null : Uri.UnescapeDataString(part[(eq + 1)..])));
        }
        if (picked.Count == 0) return;
        sb.Append('?').AppendJoin('&', picked.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Value is null ? p.Name : p.Name + "=" + p.Value));
    }

    /// <summary>The raw HMAC-SHA1 of <paramref name="stringToSign"/> under the secret.</summary>
    public static byte[] Sign(ReadOnlySpan<byte> secret, string stringToSign) =>
        HMACSHA1.HashData(secret, Encoding.UTF8.GetBytes(stringToSign));

    /// <summary>Compares a presented base64 signature with the expected bytes in constant time; bad base64 never matches.</summary>
    public static bool SignatureEquals(byte[] expected, string presented)
    {
        Span<byte> given = stackalloc byte[32];
        if (!Convert.TryFromBase64String(presented.Trim(), given, out var n)) return false;
        return n == expected.Length && CryptographicOperations.FixedTimeEquals(expected, given[..n]);
    }

    /// <summary>
    /// An RFC 1123 date (Date, x-amz-date) or an ISO 8601 basic one. The weekday name is not checked: old clients and
    /// S3 itself ignore it, and a wrong one must still be judged by its time (RequestTimeTooSkewed), not refused as garbage.
    /// </summary>
    public static bool TryParseDate(string text, out DateTimeOffset time)
    {
        text = text.Trim();
        if (SigV4Request.TryParseAmzDate(text, out time)) return true;
        var comma = text.IndexOf(',');
        var rest = comma is > 0 and <= 9 ? text[(comma + 1)..].Trim() : text;
        // RFC 2822's numeric zone (s3cmd sends "+0000").
        var offset = TimeSpan.Zero;
        if (rest.Length > 6 && rest[^5] is '+' or '-' && rest[^6] == ' ' && int.TryParse(rest.AsSpan(rest.Length - 4), NumberStyles.None, CultureInfo.InvariantCulture, out var hhmm))
        {
            offset = new TimeSpan(hhmm / 100, hhmm % 100, 0) * (rest[^5] == '-' ? -1 : 1);
            rest = rest[..^6] + " GMT";
        }
        if (!DateTimeOffset.TryParseExact(rest, ["d MMM yyyy HH:mm:ss 'GMT'", "d MMM yyyy HH:mm:ss 'UTC'", "d MMM yyyy HH:mm:ss 'Z'"],
                CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time))
            return false;
        if (offset != TimeSpan.Zero)
        {
            if (time.UtcTicks - offset.Ticks is < 0 or > 3155378975999999999) return false;
            time -= offset;
        }
        return true;
    }
}
