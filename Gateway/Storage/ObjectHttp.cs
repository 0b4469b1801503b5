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
    private const int MaxMetadataBytes = 8 * 1024;

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,127}$")]
    private static partial Regex MetaName();

    /// <summary>
    /// The key as the client encoded it, taken from the raw request target: routing decodes %25 but keeps %2F,
    /// so a literal "%2F" in a key and an encoded slash would otherwise look alike.
    /// </summary>
    public static string ReadKey(HttpContext context, string routeKey)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        string key = routeKey;
        if (!string.IsNullOrEmpty(raw) && raw.StartsWith('/'))
        {
            var q = raw.IndexOf('?');
            var path = q >= 0 ? raw[..q] : raw;
            // /v1/stores/{store}/buckets/{bucket}/objects/{key...}
            var at = 0;
            for (var i = 0; i < 6 && at >= 0; i++) at = path.IndexOf('/', at + 1);
            if (at > 0) key = Uri.UnescapeDataString(path[(at + 1)..]);
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
        foreach (var value in values)
        {
            foreach (var part in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (part != "*" && !(part.EndsWith('"') && (part.StartsWith('"') || part.StartsWith("W/\"", StringComparison.Ordinal))))
                    throw new GatewayException(ErrorCode.BadRequest, "Entity tags in If-Match / If-None-Match must be quoted, or '*'.");
                list.Add(part);
            }
        }
        return list.Count == 0 ? null : list;
    }

    /// <summary>A single "bytes=" range, or null to serve the whole object (RFC 9110 lets a server ignore other forms).</summary>
    public static ByteRange? ReadRange(HttpRequest request)
    {
        if (!RangeHeaderValue.TryParse(request.Headers.Range.ToString(), out var header)) return null;
        if (!string.Equals(header.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase) || header.Ranges.Count != 1) return null;
        var r = header.Ranges.First();
        if (r.From is null) return r.To is { } suffix ? new ByteRange(null, null, suffix) : null;
        if (r.To is { } to && to < r.From) return null;
        return new ByteRange(r.From, r.To, null);
    }

    public static Dictionary<string, string> ReadMetadata(HttpRequest request)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var bytes = 0;
        foreach (var (name, values) in request.Headers)
        {
            if (!name.StartsWith(MetaPrefix, StringComparison.OrdinalIgnoreCase)) continue;
            var key = name[MetaPrefix.Length..].ToLowerInvariant();
            if (!MetaName().IsMatch(key))
                throw new GatewayException(ErrorCode.BadRequest, $"Metadata header '{name}' is not allowed: names are a-z, 0-9, '-' and '_'.");
            var value = values.ToString();
            bytes += key.Length + value.Length;
            metadata[key] = value;
        }
        if (bytes > MaxMetadataBytes)
            throw new GatewayException(ErrorCode.BadRequest, $"User metadata is {bytes} bytes; at most {MaxMetadataBytes} are allowed.");
        return metadata;
    }

    public static string? ReadContentMd5(HttpRequest request)
    {
        var value = request.Headers["Content-MD5"].ToString();
        if (string.IsNullOrEmpty(value)) return null;
        Span<byte> digest = stackalloc byte[16];
        if (!Convert.TryFromBase64String(value, digest, out var written) || written != 16)
            throw new GatewayException(ErrorCode.BadRequest, "Content-MD5 must be the base64 of a 16-byte MD5 digest.");
        return Convert.ToBase64String(digest);
    }

    public static string ReadContentType(HttpRequest request)
    {
        var value = request.ContentType;
        if (string.IsNullOrEmpty(value)) return "application/octet-stream";
        if (!MediaTypeHeaderValue.TryParse(value, out _))
            throw new GatewayException(ErrorCode.BadRequest, "Content-Type is not a valid media type.");
        return value;
    }

    public static void WriteHeaders(HttpResponse response, ObjectInfo info)
    {
        var headers = response.Headers;
        headers.ETag = info.ETag;
        headers.LastModified = info.LastModified.ToString("R", CultureInfo.InvariantCulture);
        headers.ContentType = info.ContentType;
        headers.AcceptRanges = "bytes";
        if (info.ContentMd5 is { } md5) headers["x-checksum-md5"] = md5;
        if (info.Crc32c is { } crc) headers["x-checksum-crc32c"] = crc;
        foreach (var (name, value) in info.Metadata) headers[MetaPrefix + name] = value;
    }
}
