using Microsoft.Extensions.Primitives;

namespace Gateway.Contracts.Rest;

/// <summary>
/// A caller's request for one named upstream. The caller chooses only the path below the upstream,
/// the query, the method, headers and the body: never the host (no open proxy).
/// </summary>
public sealed class RestRequest
{
    public required string Method { get; init; }

    /// <summary>
    /// The path below the upstream, as decoded segments joined by '/', without the '/' that ends the route's prefix: a
    /// leading '/' is an empty first segment (the caller's <c>/v1/rest/up//x</c> is <c>/x</c>) and reaches the upstream as one.
    /// </summary>
    public required string Path { get; init; }

    /// <summary>
    /// The caller's path ended with '/'. Needed where <see cref="Path"/> is empty: <c>/v1/rest/up/</c> and <c>/v1/rest/up</c>
    /// both give an empty path, and below a <c>PathPrefix</c> they are two resources (<c>legacy/</c>, <c>legacy</c>).
    /// </summary>
    public bool TrailingSlash { get; init; }

    /// <summary>The raw, still encoded query string including its leading '?', or empty.</summary>
    public string QueryString { get; init; } = "";

    /// <summary>The caller's headers; hop-by-hop headers and the caller's own credentials are dropped by the bridge.</summary>
    public IEnumerable<KeyValuePair<string, StringValues>> Headers { get; init; } = [];

    /// <summary>The request body, streamed to the upstream; null when the request has none.</summary>
    public Stream? Body { get; init; }

    public long? ContentLength { get; init; }

    /// <summary>Who asked and how, for X-Forwarded-* headers.</summary>
    public RestCaller Caller { get; init; } = RestCaller.Unknown;
}

/// <param name="RemoteAddress">The caller's IP address, when known.</param>
/// <param name="Scheme">The scheme the caller used toward the gateway.</param>
/// <param name="Host">The Host the caller used toward the gateway.</param>
/// <param name="PathPrefix">The gateway path the upstream is mounted at, e.g. "/v1/rest/billing".</param>
public sealed record RestCaller(string? RemoteAddress, string Scheme, string Host, string PathPrefix)
{
    public static RestCaller Unknown { get; } = new(null, "http", "", "");
}
