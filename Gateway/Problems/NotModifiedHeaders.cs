namespace Gateway.Problems;

/// <summary>
/// The headers of a 304 (RFC 9110 §15.4.5): what a 200 would have carried for a cache to refresh, taken from the
/// not-modified error's extensions (<c>Preconditions.NotModified</c>): the ETag, and Cache-Control and Expires when set.
/// </summary>
internal static class NotModifiedHeaders
{
    public static void Write(HttpResponse response, IReadOnlyDictionary<string, object?>? extensions)
    {
        if (extensions?.GetValueOrDefault("etag") is string etag) response.Headers.ETag = etag;
        if (extensions?.GetValueOrDefault("cacheControl") is string cacheControl) response.Headers.CacheControl = cacheControl;
        if (extensions?.GetValueOrDefault("expires") is string expires) response.Headers.Expires = expires;
    }
}
