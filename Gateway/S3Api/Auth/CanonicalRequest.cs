using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.S3Api.Auth;

/// <summary>
/// Builds the SigV4 canonical request from what the client actually sent: the raw request target (path and
/// query, before ASP.NET decodes or the path base splits them) and the signed headers.
/// </summary>
public static class CanonicalRequest
{
    public static string Build(HttpRequest request, IReadOnlyList<string> signedHeaders, string payloadHash, bool presigned)
    {
        var (path, query) = RawTarget(request);
        var sb = new StringBuilder(512);
        sb.Append(request.Method).Append('\n');
        sb.Append(CanonicalUri(path)).Append('\n');
        sb.Append(CanonicalQuery(query, presigned)).Append('\n');
        foreach (var name in signedHeaders)
            sb.Append(name).Append(':').Append(HeaderValue(request, name)).Append('\n');
        sb.Append('\n');
        sb.Append(string.Join(';', signedHeaders)).Append('\n');
        sb.Append(payloadHash);
        return sb.ToString();
    }

    public static (string Path, string Query) RawTarget(HttpRequest request)
    {
        var raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
            return ((request.PathBase + request.Path).ToUriComponent() is { Length: > 0 } p ? p : "/", request.QueryString.Value?.TrimStart('?') ?? "");
        var q = raw.IndexOf('?');
        return q < 0 ? (raw, "") : (raw[..q], raw[(q + 1)..]);
    }

    /// <summary>S3 encodes the path once: each segment decoded, then re-encoded with slashes kept.</summary>
    public static string CanonicalUri(string rawPath) =>
        rawPath.Length == 0 ? "/" : SigV4.UriEncode(Uri.UnescapeDataString(rawPath), keepSlash: true);

    /// <summary>
    /// Each name and value decoded to bytes and encoded again as SigV4 asks (RFC 3986 unreserved characters kept, every other
    /// byte %XY): so <c>%ff</c>, <c>%FF</c> and <c>%41</c> sign as <c>%FF</c>, <c>%FF</c> and <c>A</c> whatever bytes they
    /// name (a <c>%FF</c> that is no UTF-8 is one byte, not the text "%FF"), and a literal <c>+</c> is a space, signed
    /// <c>%20</c>, as S3 reads it and as this front door reads the query's values (<c>%2B</c> is the plus sign).
    /// </summary>
    public static string CanonicalQuery(string rawQuery, bool presigned)
    {
        if (rawQuery.Length == 0) return "";
        var pairs = new List<(string Name, string Value)>();
        foreach (var part in rawQuery.Split('&'))
        {
            if (part.Length == 0) continue;
            var eq = part.IndexOf('=');
            var name = Recode(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? "" : Recode(part[(eq + 1)..]);
            if (presigned && name == "X-Amz-Signature") continue;
            pairs.Add((name, value));
        }
        pairs.Sort((a, b) =>
        {
            var c = string.CompareOrdinal(a.Name, b.Name);
            return c != 0 ? c : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    // WebUtility decodes as S3 reads a query: %XY to its byte (a malformed escape kept as text), '+' to a space.
    private static string Recode(string component)
    {
        var text = Encoding.UTF8.GetBytes(component);
        return SigV4.UriEncode(System.Net.WebUtility.UrlDecodeToBytes(text, 0, text.Length)!);
    }

    /// <summary>
    /// Values of one header joined by commas, trimmed, inner runs of white space (spaces and tabs, the white space a header
    /// value may hold) collapsed to one space, as the SDKs sign them (botocore, the Java SDK; until this change a tab was
    /// kept, so a botocore request with one was SignatureDoesNotMatch).
    /// </summary>
    public static string HeaderValue(HttpRequest request, string name)
    {
        var values = request.Headers[name];
        if (values.Count == 0 && name == "host") return request.Host.Value ?? "";
        var sb = new StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0) sb.Append(',');
            var v = (values[i] ?? "").Trim();
            var space = false;
            foreach (var c in v)
            {
                if (c is ' ' or '\t')
                {
                    if (!space) sb.Append(' ');
                    space = true;
                }
                else
                {
                    sb.Append(c);
                    space = false;
                }
            }
        }
        return sb.ToString();
    }
}
