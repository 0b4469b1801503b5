using Amazon.S3;
using Amazon.S3.Model;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Bridges.S3;

/// <summary>Conversions between S3's headers and the contract's object description.</summary>
static class S3Metadata
{
    const string Prefix = "x-amz-meta-";

    public static IReadOnlyDictionary<string, string> Read(MetadataCollection metadata)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in metadata.Keys)
        {
            var bare = name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? name[Prefix.Length..] : name;
            result[bare.ToLowerInvariant()] = FromWire(metadata[name]);
        }
        return result;
    }

    /// <summary>
    /// HttpClient reads a header's bytes as Latin-1. S3-compatible services (s3rver, MinIO, Ceph RGW) answer a non-ASCII
    /// value another tool wrote as its raw UTF-8 bytes (AWS answers it RFC 2047-encoded): a value whose bytes are valid
    /// UTF-8 is read as UTF-8, so "café" is not handed on as "cafÃ©".
    /// </summary>
    static string FromWire(string value)
    {
        if (System.Text.Ascii.IsValid(value) || value.Any(c => c > '\u00ff')) return value;
        try { return new System.Text.UTF8Encoding(false, true).GetString(System.Text.Encoding.Latin1.GetBytes(value)); }
        catch (System.Text.DecoderFallbackException) { return value; }
    }

    public static void Write(MetadataCollection target, IReadOnlyDictionary<string, string> metadata)
    {
        foreach (var (name, value) in metadata) target.Add(name.ToLowerInvariant(), value);
    }

    /// <summary>The standard headers S3 keeps with an object, as the request headers of a write.</summary>
    public static void WriteHeaders(HeadersCollection target, ContentHeaders? headers)
    {
        if (headers is null) return;
        foreach (var (name, value) in headers.Present()) target[name] = value;
    }

    public static ContentHeaders? ReadHeaders(HeadersCollection headers, string? expires)
    {
        static string? Set(string? v) => string.IsNullOrEmpty(v) ? null : v;
        return ContentHeaders.OrNull(new ContentHeaders
        {
            CacheControl = Set(headers.CacheControl),
            ContentDisposition = Set(headers.ContentDisposition),
            ContentEncoding = Set(headers.ContentEncoding),
            ContentLanguage = Set(headers.ContentLanguage),
            Expires = Set(expires),
        });
    }

    /// <summary>
    /// The MD5 an object's ETag names, from a response that says how the object is encrypted: a single-part object's
    /// ETag is its body's MD5 unless it is stored under SSE-KMS (or DSSE-KMS) or SSE-C, where S3 answers another value.
    /// </summary>
    public static string? Md5FromETag(string? etag, ServerSideEncryptionMethod? sse, ServerSideEncryptionCustomerMethod? customer) =>
        EtagIsMd5(sse, customer) ? Md5FromETag(etag ?? "") : null;

    static bool EtagIsMd5(ServerSideEncryptionMethod? sse, ServerSideEncryptionCustomerMethod? customer) =>
        (sse is null || sse == ServerSideEncryptionMethod.None || sse == ServerSideEncryptionMethod.AES256)
        && (customer is null || customer == ServerSideEncryptionCustomerMethod.None);

    /// <summary>A single-part upload's ETag is the hex MD5 of the object; multipart ETags ("…-N") are not.</summary>
    public static string? Md5FromETag(string etag)
    {
        var bare = Preconditions.Normalize(etag);
        if (bare.Length != 32) return null;
        try { return Convert.ToBase64String(Convert.FromHexString(bare)); }
        catch (FormatException) { return null; }
    }

    public static string ETag(string? raw) => string.IsNullOrEmpty(raw) ? "\"\"" : Preconditions.Quote(raw);

    public static DateTimeOffset Time(DateTime? value) =>
        value is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t.ToUniversalTime(), DateTimeKind.Utc)) : DateTimeOffset.UnixEpoch;

    /// <summary>Parses "bytes first-last/total".</summary>
    public static (long Offset, long Length, long Total)? ParseContentRange(string? header)
    {
        if (string.IsNullOrEmpty(header) || !header.StartsWith("bytes ", StringComparison.OrdinalIgnoreCase)) return null;
        var spec = header[6..].Trim();
        var slash = spec.IndexOf('/');
        var dash = spec.IndexOf('-');
        if (slash < 0 || dash < 0 || dash > slash) return null;
        if (!long.TryParse(spec[..dash], out var first) || !long.TryParse(spec[(dash + 1)..slash], out var last)) return null;
        var total = long.TryParse(spec[(slash + 1)..], out var t) ? t : -1;
        return (first, last - first + 1, total);
    }
}
