using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Gateway.S3Api.Auth;

namespace Gateway.Tests.Probes;

/// <summary>
/// SigV4 header signing for hand-made S3 requests (the SDKs refuse to send malformed ones): signs exactly the raw
/// target and headers given, so the request reaches the operation and its own checks.
/// </summary>
public sealed class S3Signer(string accessKeyId, string secret, string region)
{
    /// <summary>Header lines (x-amz-date, x-amz-content-sha256, Authorization) for the request; <paramref name="headers"/> are signed too.</summary>
    public IReadOnlyList<string> Sign(string method, string host, string rawTarget, byte[] body, IReadOnlyList<(string Name, string Value)> headers,
        string? payloadHash = null)
    {
        var now = DateTime.UtcNow;
        var amzDate = now.ToString(SigV4.TimeFormat, CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var hash = payloadHash ?? Convert.ToHexStringLower(SHA256.HashData(body));
        var all = new List<(string Name, string Value)>(headers.Select(h => (h.Name.ToLowerInvariant(), h.Value.Trim())))
        {
            ("host", host), ("x-amz-date", amzDate), ("x-amz-content-sha256", hash),
        };
        all.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var q = rawTarget.IndexOf('?');
        var path = q >= 0 ? rawTarget[..q] : rawTarget;
        var query = q >= 0 ? rawTarget[(q + 1)..] : "";
        var canonical = new StringBuilder()
            .Append(method).Append('\n')
            .Append(CanonicalRequest.CanonicalUri(path)).Append('\n')
            .Append(CanonicalRequest.CanonicalQuery(query, presigned: false)).Append('\n');
        foreach (var (name, value) in all) canonical.Append(name).Append(':').Append(value).Append('\n');
        var signed = string.Join(';', all.Select(h => h.Name));
        canonical.Append('\n').Append(signed).Append('\n').Append(hash);
        var scope = $"{date}/{region}/{SigV4.Service}/{SigV4.Terminator}";
        var signature = SigV4.Sign(SigV4.SigningKey(SigV4.Aws4Secret(secret), date, region), SigV4.StringToSign(amzDate, scope, canonical.ToString()));
        var lines = headers.Select(h => $"{h.Name}: {h.Value}").ToList();
        lines.Add($"x-amz-date: {amzDate}");
        lines.Add($"x-amz-content-sha256: {hash}");
        lines.Add($"Authorization: {SigV4.Algorithm} Credential={accessKeyId}/{scope}, SignedHeaders={signed}, Signature={signature}");
        return lines;
    }
}
