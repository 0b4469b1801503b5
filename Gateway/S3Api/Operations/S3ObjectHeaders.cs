using System.Globalization;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Errors;
using Microsoft.Net.Http.Headers;

namespace Gateway.S3Api.Operations;

/// <summary>Object facts as S3 headers, and S3's conditional-request rules.</summary>
public static class S3ObjectHeaders
{
    public const string MetaPrefix = "x-amz-meta-";
    /// <summary>S3's content type for an object stored without one.</summary>
    public const string DefaultContentType = "binary/octet-stream";

    /// <summary>
    /// S3 clients read a single-part ETag as the object's MD5 (rclone and s3cmd check it), so the ETag is the MD5 in hex
    /// whenever the store knows it, whatever token the store itself uses; otherwise the store's own ETag.
    /// </summary>
    public static string ETag(ObjectInfo info)
    {
        if (info.MetadataOrNone().TryGetValue(Multipart.MultipartMetadata.ETagKey, out var multipart)) return $"\"{multipart}\"";
        if (info.ContentMd5 is { } md5)
        {
            Span<byte> digest = stackalloc byte[16];
            if (Convert.TryFromBase64String(md5, digest, out var n) && n == 16) return $"\"{Convert.ToHexStringLower(digest)}\"";
        }
        return info.ETag;
    }

    public static void Write(HttpResponse response, ObjectInfo info)
    {
        var h = response.Headers;
        h.ETag = ETag(info);
        h.LastModified = info.LastModified.ToString("R", CultureInfo.InvariantCulture);
        // What another tool stored may be no valid header value: answered safely (SendableHeaders), never a 500.
        h.ContentType = Gateway.Storage.SendableHeaders.ContentType(info.ContentType, DefaultContentType);
        h.AcceptRanges = "bytes";
        if (info.ContentHeaders is { } stored)
            foreach (var (name, value) in stored.Sendable().Present()) h[name] = value;
        foreach (var (name, value) in Gateway.Storage.SendableHeaders.Metadata(info.Metadata))
            if (!Multipart.MultipartMetadata.IsReserved(name)) h[MetaPrefix + name] = value;
        Tagging.TaggingOperations.WriteCount(response, info);
        KeptStorageClass.WriteHeader(response, info);
    }

    /// <summary>True when the ETag the client holds names this object (S3 form or the store's own).</summary>
    public static bool Matches(ObjectInfo info, IReadOnlyList<string> tags) =>
        Preconditions.Matches(ETag(info), tags) || Preconditions.Matches(info.ETag, tags);

    /// <summary>S3's rules for GET/HEAD (and, with <paramref name="read"/> false, for copy sources): 412 or 304.</summary>
    public static void CheckConditions(ObjectInfo info, IHeaderDictionary headers, bool read, string prefix = "")
    {
        var ifMatch = Tags(headers[prefix + "If-Match"]);
        var ifNoneMatch = Tags(headers[prefix + "If-None-Match"]);
        var ifUnmodified = Date(headers[prefix + "If-Unmodified-Since"]);
        var ifModified = Date(headers[prefix + "If-Modified-Since"]);
        var modified = info.LastModified.ToUniversalTime();
        modified = modified.AddTicks(-(modified.Ticks % TimeSpan.TicksPerSecond)); // HTTP dates have whole seconds
        if (ifMatch is not null)
        {
            if (!Matches(info, ifMatch)) throw S3Errors.PreconditionFailed();
        }
        else if (ifUnmodified is { } u && modified > u) throw S3Errors.PreconditionFailed();
        if (ifNoneMatch is not null)
        {
            if (Matches(info, ifNoneMatch)) throw read ? NotModified(info) : S3Errors.PreconditionFailed();
        }
        // S3 takes a GET's or HEAD's If-Modified-Since later than its own clock as no date at all (RFC 2616 §14.25 calls
        // it invalid) and answers 200; a copy source's condition it applies as given.
        else if (ifModified is { } m && modified <= m && !(read && m > DateTimeOffset.UtcNow))
            throw read ? NotModified(info) : S3Errors.PreconditionFailed();
    }

    /// <summary>
    /// A 304 carries the ETag and Last-Modified a 200 would (S3 sends both), and the object's Cache-Control and Expires
    /// (RFC 9110 15.4.5), so a cache can revalidate and refresh its freshness.
    /// </summary>
    private static S3Exception NotModified(ObjectInfo info)
    {
        List<(string, string)> headers = [("ETag", ETag(info)), ("Last-Modified", info.LastModified.ToString("R", CultureInfo.InvariantCulture))];
        if (info.ContentHeaders?.Sendable() is { } stored)
        {
            if (stored.CacheControl is { } cacheControl) headers.Add(("Cache-Control", cacheControl));
            if (stored.Expires is { } expires) headers.Add(("Expires", expires));
        }
        return new("NotModified", 304, "Not Modified") { Headers = [.. headers] };
    }

    public static IReadOnlyList<string>? Tags(Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count == 0) return null;
        var list = new List<string>();
        foreach (var v in values)
            foreach (var part in (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                list.Add(part == "*" ? part : Preconditions.Quote(part));
        return list.Count == 0 ? null : list;
    }

    private static DateTimeOffset? Date(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 1 && HeaderUtilities.TryParseDate(values[0], out var d) ? d : null;
}
