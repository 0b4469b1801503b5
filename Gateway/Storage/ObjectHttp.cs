using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Gateway.Storage;

/// <summary>Maps object requests and responses between HTTP headers and the store contract.</summary>
internal static partial class ObjectHttp
{
    public const string MetaPrefix = "x-meta-";
    /// <summary>
    /// The key as the client encoded it, taken from the raw request target: routing decodes %25 but keeps %2F,
    /// so a literal "%2F" in a key and an encoded slash would otherwise look alike.
    /// </summary>
    public static string ReadKey(HttpContext context, string? routeKey)
    {
        // The object route's catch-all also matches .../objects itself, which only lists (GET, and HEAD and OPTIONS as every
        // GET route has, Routing/HeadAndOptionsEndpoints): any other method there is one the path does not have.
        if (string.IsNullOrEmpty(routeKey) && HttpMethods.IsGet(context.Request.Method))
            throw new GatewayException(ErrorCode.BadRequest, "An object key is required after /objects/.");
        if (string.IsNullOrEmpty(routeKey))
            throw new GatewayException(ErrorCode.MethodNotAllowed, $"{context.Request.Method} is not allowed on a bucket's object listing; name an object after /objects/.")
            {
                Extensions = new Dictionary<string, object?> { ["allow"] = "GET, HEAD, OPTIONS" },
            };
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        string key = routeKey;
        if (!string.IsNullOrEmpty(raw) && raw.StartsWith('/'))
        {
            var q = raw.IndexOf('?');
            var path = q >= 0 ? raw[..q] : raw;
            // /v1/stores/{store}/buckets/{bucket}/objects/{key...}
            var at = 0;
            for (var i = 0; i < 6 && at >= 0; i++) at = path.IndexOf('/', at + 1);
            if (at > 0)
                key = Gateway.Problems.PercentDecoding.TryDecode(path.AsSpan(at + 1))
                    ?? throw new GatewayException(ErrorCode.BadRequest, "The object key is not valid percent-encoded UTF-8.");
        }
        ObjectNames.ValidateKey(key);
        return key;
    }

    public static ObjectConditions ReadConditions(HttpRequest request) => new()
    {
        IfMatch = ReadETags(request.Headers.IfMatch),
        IfNoneMatch = ReadETags(request.Headers.IfNoneMatch),
    };

    private static IReadOnlyList<string>? ReadETags(Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count == 0) return null;
        var list = new List<string>();
        foreach (var value in values) list.AddRange(ParseETags(value, "If-Match / If-None-Match") ?? []);
        return list.Count == 0 ? null : StarAlone(list, "If-Match / If-None-Match");
    }

    // RFC 9110: If-Match = "*" / #entity-tag. "*" with tags (one header or several lines) is neither; read as "*" it made
    // a create-only or any-version condition of what the caller may have meant as a list.
    private static List<string> StarAlone(List<string> list, string what) =>
        list.Count > 1 && list.Contains("*")
            ? throw new GatewayException(ErrorCode.BadRequest, $"{what} is '*' alone or a list of entity tags, not both.")
            : list;

    /// <summary>
    /// A comma-separated list of entity tags ("x", W/"x") or "*"; a malformed one is a 400 naming <paramref name="what"/>.
    /// Read tag by tag, not split at commas: a comma is an etagc (RFC 9110 §8.8.3), so "a,b" is one tag.
    /// </summary>
    public static IReadOnlyList<string>? ParseETags(string? value, string what)
    {
        if (value is null) return null;
        var list = new List<string>();
        var at = 0;
        while (true)
        {
            // Empty list elements and whitespace around them are taken (RFC 9110 §5.6.1).
            while (at < value.Length && value[at] is ',' or ' ' or '\t') at++;
            if (at == value.Length) break;
            var end = TagEnd(value, at);
            if (end < 0) throw MalformedETags(what);
            list.Add(value[at..end]);
            at = end;
            while (at < value.Length && value[at] is ' ' or '\t') at++;
            if (at < value.Length && value[at] != ',') throw MalformedETags(what);
        }
        // Given but empty: a condition the caller meant to set, so it is refused rather than dropped (fail closed).
        if (list.Count == 0) throw new GatewayException(ErrorCode.BadRequest, $"{what} is given but holds no entity tag; send \"...\", W/\"...\" or '*', or leave it out.");
        return StarAlone(list, what);
    }

    private static GatewayException MalformedETags(string what) =>
        new(ErrorCode.BadRequest, $"Entity tags in {what} must be quoted (\"...\" or W/\"...\"), or '*'.");

    // Where the "*" or entity-tag ([ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E) starting at `at` ends; -1 when none does.
    private static int TagEnd(string s, int at)
    {
        if (s[at] == '*') return at + 1;
        if (string.CompareOrdinal(s, at, "W/", 0, 2) == 0) at += 2;
        if (at >= s.Length || s[at] != '"') return -1;
        for (var i = at + 1; i < s.Length; i++)
        {
            if (s[i] == '"') return i + 1;
            if (s[i] is < '\x21' or > '\x7e') return -1;
        }
        return -1;
    }

    /// <summary>A single "bytes=" range, or null to serve the whole object (RFC 9110 lets a server ignore other forms).</summary>
    public static ByteRange? ReadRange(HttpRequest request)
    {
        var value = request.Headers.Range.ToString();
        if (!RangeHeaderValue.TryParse(value, out var header)) return PastSixtyFourBits(value);
        if (!string.Equals(header.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase) || header.Ranges.Count != 1) return null;
        var r = header.Ranges.First();
        return Range(r.From, r.To);
    }

    private static ByteRange? Range(long? from, long? to)
    {
        if (from is null) return to is { } suffix ? new ByteRange(null, null, suffix) : null;
        if (to is { } last && last < from) return null;
        return new ByteRange(from, to, null);
    }

    /// <summary>
    /// One "bytes=" range with a number past 64 bits, which the parser refuses. RFC 9110's positions are 1*DIGIT, so it is a
    /// valid range: such a number is read as the largest position there is, and the range is answered as one of large numbers
    /// that fit (a first position past the end 416, a last position or a suffix past the end reaching the end), not ignored.
    /// </summary>
    private static ByteRange? PastSixtyFourBits(string value)
    {
        var match = OneByteRange().Match(value);
        if (!match.Success || match.Groups["from"].Length + match.Groups["to"].Length == 0) return null;
        return Range(Saturated(match.Groups["from"].Value), Saturated(match.Groups["to"].Value));
    }

    private static long? Saturated(string digits) =>
        digits.Length == 0 ? null : long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue;

    [GeneratedRegex(@"\A[ \t]*bytes[ \t]*=[ \t]*(?<from>[0-9]*)[ \t]*-[ \t]*(?<to>[0-9]*)[ \t]*\z", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OneByteRange();

    /// <summary>
    /// Whether If-Range names <paramref name="current"/>: a strong entity tag equal to its ETag, or an HTTP date equal to its
    /// Last-Modified (RFC 9110 §13.1.5). A weak or malformed validator never does, so the whole object is served.
    /// </summary>
    public static bool IfRangeHolds(HttpRequest request, ObjectInfo current)
    {
        if (!RangeConditionHeaderValue.TryParse(request.Headers.IfRange.ToString(), out var condition)) return false;
        if (condition.EntityTag is { } tag) return !tag.IsWeak && Preconditions.MatchesStrong(current.ETag, [tag.ToString()]);
        return condition.LastModified is { } date && DateConditions.WholeSeconds(current.LastModified) == date;
    }

    /// <summary>
    /// The x-meta-* headers, checked against <see cref="ObjectMetadata"/>'s rules (a bad one is a 400, nothing stored). A name
    /// given on two header lines (in any case) is a 400 too: joined with a comma, it stored a value neither line gave.
    /// </summary>
    public static Dictionary<string, string> ReadMetadata(HttpRequest request) =>
        ObjectMetadata.Validate(request.Headers
            .Where(h => h.Key.StartsWith(MetaPrefix, StringComparison.OrdinalIgnoreCase))
            .Select(h => h.Value.Count > 1
                ? throw new GatewayException(ErrorCode.BadRequest,
                    $"The header '{(h.Key.Length <= 160 ? h.Key.ToLowerInvariant() : MetaPrefix + "...")}' is given {h.Value.Count} times; give each metadata name once.")
                : KeyValuePair.Create(h.Key[MetaPrefix.Length..], h.Value.ToString())), MetaPrefix);

    /// <summary>Cache-Control, Content-Disposition, Content-Encoding, Content-Language and Expires to keep with the object (a bad value is a 400).</summary>
    public static ContentHeaders? ReadContentHeaders(HttpRequest request) =>
        ContentHeaders.From(name => OneLineUnlessList(request, name))?.Validate();

    /// <summary>
    /// A header's lines as one value. Cache-Control, Content-Encoding and Content-Language are lists, whose lines join with a
    /// comma (RFC 9110 §5.3); Content-Disposition and Expires are not, so two lines of them are a 400 ("attachment,inline" was
    /// stored, a value neither line gave).
    /// </summary>
    private static string OneLineUnlessList(HttpRequest request, string name)
    {
        var lines = request.Headers[name];
        if (lines.Count > 1 && name is "Content-Disposition" or "Expires")
            throw new GatewayException(ErrorCode.BadRequest, $"The header '{name}' is given {lines.Count} times; give it once.");
        return lines.ToString();
    }

    public static string? ReadContentMd5(HttpRequest request)
    {
        // A digest announced as a trailer would arrive after the body was stored, unchecked: refused, so a caller that
        // asked for the check never gets a write that skipped it.
        foreach (var field in request.Headers[HeaderNames.Trailer].SelectMany(v => (v ?? "").Split(',')))
            if (field.Trim().Equals("Content-MD5", StringComparison.OrdinalIgnoreCase))
                throw new GatewayException(ErrorCode.BadRequest, "Content-MD5 is checked as a header only; it cannot be sent as a trailer.");
        if (!request.Headers.TryGetValue("Content-MD5", out var given)) return null;
        // Given but empty is refused too: the caller asked for a digest check that cannot be made.
        var value = given.ToString();
        Span<byte> digest = stackalloc byte[16];
        if (!Convert.TryFromBase64String(value, digest, out var written) || written != 16)
            throw new GatewayException(ErrorCode.BadRequest, "Content-MD5 must be the base64 of a 16-byte MD5 digest.");
        return Convert.ToBase64String(digest);
    }

    public static string ReadContentType(HttpRequest request)
    {
        var value = request.ContentType;
        if (string.IsNullOrEmpty(value)) return "application/octet-stream";
        return ObjectMetadata.ValidateContentType(value)!;
    }

    public static void WriteHeaders(HttpResponse response, ObjectInfo info)
    {
        var headers = response.Headers;
        headers.ETag = info.ETag;
        headers.LastModified = info.LastModified.ToString("R", CultureInfo.InvariantCulture);
        headers.ContentType = SendableHeaders.ContentType(info.ContentType, "application/octet-stream");
        headers.AcceptRanges = "bytes";
        if (info.ContentMd5 is { } md5) headers["x-checksum-md5"] = md5;
        if (info.Crc32c is { } crc) headers["x-checksum-crc32c"] = crc;
        if (info.ContentHeaders is { } stored)
            foreach (var (name, value) in stored.Sendable().Present()) headers[name] = value;
        foreach (var (name, value) in SendableHeaders.Metadata(info.Metadata)) headers[MetaPrefix + name] = value;
    }
}
