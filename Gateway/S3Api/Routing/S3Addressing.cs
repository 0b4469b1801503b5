using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Auth;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Operations.Multipart;

namespace Gateway.S3Api.Routing;

/// <summary>Finds bucket and key: path-style <c>/bucket/key</c>, or virtual-host <c>bucket.{BaseDomain}/key</c> when a base domain is set.</summary>
public static class S3Addressing
{
    public static (string? Bucket, string? Key) Parse(HttpRequest request, string pathBase, string? baseDomain)
    {
        var (rawPath, _) = CanonicalRequest.RawTarget(request);
        if (pathBase.Length > 0 && rawPath.StartsWith(pathBase, StringComparison.OrdinalIgnoreCase)) rawPath = rawPath[pathBase.Length..];
        // Strictly: Uri.UnescapeDataString keeps escapes that are not UTF-8 as text, which stored "a%C3(" for a%C3%28.
        var path = Gateway.Problems.PercentDecoding.TryDecode(rawPath) ?? throw S3Errors.InvalidUri();
        // One leading slash, as S3 reads a path: "//key" on a virtual host is the key "/key" (refused), not "key", which
        // SigV2 would otherwise accept under a signature over "/bucket//key"; "//bucket/key" names no bucket.
        if (path.StartsWith('/')) path = path[1..];
        string? bucket = null;
        string? key;
        var host = request.Host.Host;
        if (IsVirtualHost(request, baseDomain))
        {
            bucket = host[..^(baseDomain!.Length + 1)].ToLowerInvariant();
            key = path.Length == 0 ? null : path;
        }
        else
        {
            if (path.Length == 0) return (null, null);
            var slash = path.IndexOf('/');
            if (slash == 0) throw S3Errors.InvalidBucketName("The request path names an empty bucket ('//').");
            bucket = slash < 0 ? path : path[..slash];
            key = slash < 0 || slash == path.Length - 1 ? null : path[(slash + 1)..];
        }
        if (key is not null)
        {
            // C1 control characters (U+0080-U+009F) in a key: S3 cannot parse the URI (ceph/s3-tests test_object_read_unreadable).
            if (key.Any(ch => ch is >= '\u0080' and <= '\u009f')) throw S3Errors.InvalidUri();
            ValidateKey(key);
            if (MultipartMetadata.IsPartsAreaKey(key))
                throw S3Errors.InvalidArgument($"Keys under '{MultipartMetadata.PartsPrefix}' are reserved for multipart uploads in progress.");
        }
        return (bucket, key);
    }

    /// <summary>
    /// The request's path as sent, after the path base, decoded where it decodes (else as sent): an error document's
    /// Resource for a request refused before its bucket and key were found, as S3 names the path it was asked for.
    /// </summary>
    public static string RequestPath(HttpRequest request, string pathBase)
    {
        var (rawPath, _) = CanonicalRequest.RawTarget(request);
        if (pathBase.Length > 0 && rawPath.StartsWith(pathBase, StringComparison.OrdinalIgnoreCase)) rawPath = rawPath[pathBase.Length..];
        var path = Gateway.Problems.PercentDecoding.TryDecode(rawPath) ?? rawPath;
        return path.StartsWith('/') ? path : "/" + path;
    }

    /// <summary>True when the request names its bucket in the host (<c>{bucket}.{BaseDomain}</c>).</summary>
    public static bool IsVirtualHost(HttpRequest request, string? baseDomain)
    {
        var host = request.Host.Host;
        return !string.IsNullOrEmpty(baseDomain) && host.Length > baseDomain.Length + 1
            && host.EndsWith("." + baseDomain, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// An object's absolute URL as the request reached the front door (scheme, host, path base, and the bucket in the
    /// host or the path), as S3 answers a Location: a client may fetch it as given.
    /// </summary>
    public static string ObjectUrl(HttpRequest request, string pathBase, string? baseDomain, string bucket, string key)
    {
        var path = string.Join('/', key.Split('/').Select(Uri.EscapeDataString));
        var bucketPart = IsVirtualHost(request, baseDomain) ? "" : "/" + Uri.EscapeDataString(bucket);
        return $"{request.Scheme}://{request.Host}{pathBase}{bucketPart}/{path}";
    }

    /// <summary>The gateway's key rules as S3 answers them: a key over 1024 bytes is S3's KeyTooLongError, any other breach InvalidArgument.</summary>
    public static void ValidateKey(string key)
    {
        try { ObjectNames.ValidateKey(key); }
        catch (GatewayException e)
        {
            if (System.Text.Encoding.UTF8.GetByteCount(key) > ObjectNames.MaxKeyBytes) throw S3Errors.KeyTooLong();
            throw S3Errors.InvalidArgument(e.Message);
        }
    }
}
