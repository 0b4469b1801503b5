using System.Buffers;
using System.Text;
using Gateway.Contracts.Errors;

namespace Gateway.Bridges.Rest.Forwarding;

/// <summary>
/// Builds the upstream URL from the configured base and the caller's path and query. Every caller segment is
/// escaped and '.'/'..' segments are refused, so a caller can never leave the configured base (no SSRF).
/// A segment keeps what RFC 3986 lets a path segment carry as it is (unreserved, sub-delims, ':' and '@'), as YARP and
/// ASP.NET's PathString do: a matrix parameter "a;b=c" or "user@host" reaches the upstream as written, not "a%3Bb%3Dc".
/// </summary>
static class UpstreamPath
{
    static readonly SearchValues<char> SegmentChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@");

    /// <summary>
    /// The target below a destination's base address (base addresses end with '/'), sent byte for byte: <see cref="Relative"/>
    /// escaped the path already, and the query goes as the caller sent it (Uri's canonicalization re-escaped a stray
    /// <c>%zz</c> as <c>%25zz</c>, another value for an upstream that decodes leniently).
    /// </summary>
    public static Uri Combine(Uri baseAddress, string relative) =>
        new(baseAddress.AbsoluteUri + relative, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

    /// <summary>The escaped path and query below the destination's base; BadRequest for dot segments or a malformed query.</summary>
    /// <param name="trailingSlash">The caller's path ended with '/': an empty path below a prefix then goes as <c>prefix/</c>.</param>
    public static string Relative(string? pathPrefix, string? removePrefix, string callerPath, string query, string? reservedQueryParameter,
        bool trailingSlash = false)
    {
        // A leading '/' is an empty first segment (the caller's '/v1/rest/up//x'): kept, as empty segments elsewhere are, so
        // the upstream gets '//x' below its base and not '/x', another resource.
        var path = callerPath;
        if (!string.IsNullOrEmpty(removePrefix))
        {
            var prefix = removePrefix.Trim('/');
            if (path.Equals(prefix, StringComparison.Ordinal)) path = "";
            else if (path.StartsWith(prefix + "/", StringComparison.Ordinal)) path = path[(prefix.Length + 1)..];
        }

        var builder = new StringBuilder(path.Length + query.Length + 32);
        var trimmedPrefix = pathPrefix?.Trim('/');
        if (!string.IsNullOrEmpty(trimmedPrefix))
        {
            builder.Append(trimmedPrefix).Append('/');
        }
        var first = true;
        foreach (var segment in path.Split('/'))
        {
            if (segment is "." or "..")
                throw new GatewayException(ErrorCode.BadRequest, "Path segments '.' and '..' are not allowed.");
            // Servlet containers (Tomcat, Jetty) drop a segment's path parameters before they resolve dot segments, so
            // '..;x/admin' would leave the base there: a dot segment with parameters is refused as one without.
            if (segment.Split(';', 2)[0] is "." or ".." && segment.Contains(';', StringComparison.Ordinal))
                throw new GatewayException(ErrorCode.BadRequest, "Path segments '.' and '..' are not allowed, with path parameters (';') or without.");
            if (!first) builder.Append('/');
            AppendSegment(builder, segment);
            first = false;
        }
        // '/v1/rest/rp' is the prefix itself; '/v1/rest/rp/' its index, 'legacy/' (until session 44 both went as 'legacy', and a
        // directory-style upstream's redirect to 'legacy/' came back as '/v1/rest/rp/': a loop).
        if (!string.IsNullOrEmpty(trimmedPrefix) && path.Length == 0 && !trailingSlash) builder.Length--;

        builder.Append(CleanQuery(query, reservedQueryParameter));
        return builder.ToString();
    }

    static void AppendSegment(StringBuilder builder, string segment)
    {
        var rest = segment.AsSpan();
        while (rest.Length > 0)
        {
            var plain = rest.IndexOfAnyExcept(SegmentChars);
            if (plain < 0) { builder.Append(rest); return; }
            builder.Append(rest[..plain]);
            rest = rest[plain..];
            // The run of characters to escape, whole (a surrogate pair is escaped as one UTF-8 sequence).
            var escaped = rest.IndexOfAny(SegmentChars);
            var run = escaped < 0 ? rest : rest[..escaped];
            builder.Append(Uri.EscapeDataString(run));
            rest = rest[run.Length..];
        }
    }

    /// <summary>
    /// A URI reference (absolute or a path) without the query parameter <paramref name="name"/> (any case, as escaped or
    /// not); the same string when it has none.
    /// </summary>
    public static string WithoutParameter(string reference, string name)
    {
        var q = reference.IndexOf('?');
        if (q < 0) return reference;
        var hash = reference.IndexOf('#', q);
        var query = hash < 0 ? reference[(q + 1)..] : reference[(q + 1)..hash];
        var pairs = query.Split('&');
        var kept = pairs.Where(pair => !IsNamed(pair, name)).ToArray();
        if (kept.Length == pairs.Length) return reference;
        return reference[..q] + (kept.Length == 0 ? "" : "?" + string.Join('&', kept)) + (hash < 0 ? "" : reference[hash..]);
    }

    static bool IsNamed(string pair, string name) =>
        string.Equals(Uri.UnescapeDataString(pair.Split('=', 2)[0].Replace('+', ' ')), name, StringComparison.OrdinalIgnoreCase);

    /// <summary>The caller's query, minus any parameter the gateway sets itself (an API key, say).</summary>
    static string CleanQuery(string query, string? reserved)
    {
        if (string.IsNullOrEmpty(query) || query == "?") return "";
        if (query[0] != '?') query = "?" + query;
        if (query.AsSpan().IndexOfAny('#', ' ') >= 0 || query.Contains('\r') || query.Contains('\n'))
            throw new GatewayException(ErrorCode.BadRequest, "The query string is malformed.");
        if (reserved is null) return query;
        var kept = query[1..].Split('&').Where(p => !IsNamed(p, reserved)).ToArray();
        return kept.Length == 0 ? "" : "?" + string.Join('&', kept);
    }
}
