using Gateway.Bridges.Rest.Options;
using Gateway.Contracts.Rest;
using Microsoft.Extensions.Primitives;

namespace Gateway.Bridges.Rest.Forwarding;

/// <summary>Applies an upstream's header rules in both directions.</summary>
sealed class HeaderCopier(RestUpstreamOptions options)
{
    readonly HashSet<string> _requestRemove = new(options.RequestHeaders.Remove, StringComparer.OrdinalIgnoreCase);
    readonly HashSet<string> _responseRemove = new(options.ResponseHeaders.Remove, StringComparer.OrdinalIgnoreCase);
    readonly HashSet<string> _allowedHosts = new(options.AllowedHosts, StringComparer.OrdinalIgnoreCase);

    public void CopyRequestHeaders(RestRequest source, HttpRequestMessage target)
    {
        foreach (var (name, values) in RestHeaders.Forwardable(source.Headers))
        {
            if (_requestRemove.Contains(name) || options.RequestHeaders.Set.ContainsKey(name)) continue;
            AddRequestHeader(target, name, values);
        }
        foreach (var (name, value) in options.RequestHeaders.Set)
            AddRequestHeader(target, name, value);

        if (options.AddForwardedHeaders)
        {
            var caller = source.Caller;
            if (caller.RemoteAddress is { } ip) target.Headers.TryAddWithoutValidation("X-Forwarded-For", ip);
            target.Headers.TryAddWithoutValidation("X-Forwarded-Proto", caller.Scheme);
            // The caller's Host is unfiltered input: only a configured public host, or an allowed one, is passed on.
            var host = options.PublicHost ?? (_allowedHosts.Contains(caller.Host) ? caller.Host : null);
            if (host is not null) target.Headers.TryAddWithoutValidation("X-Forwarded-Host", host);
            if (caller.PathPrefix.Length > 0) target.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", caller.PathPrefix);
        }
    }

    /// <summary>
    /// The host a rewritten Location names. The caller's Host is unfiltered input (a forged one made the answer a redirect
    /// to anywhere, for whoever a cache in front served it to): with <c>PublicHost</c> or <c>AllowedHosts</c> set, only an
    /// allowed Host is used, else <c>PublicHost</c>, else none (the Location is then a path, which the caller resolves
    /// against its own request); with neither setting, the caller's Host.
    /// </summary>
    public string? PublicHost => options.PublicHost;

    public string? LocationHost(string callerHost) =>
        options.PublicHost is null && _allowedHosts.Count == 0 ? callerHost
        : _allowedHosts.Contains(callerHost) || string.Equals(callerHost, options.PublicHost, StringComparison.OrdinalIgnoreCase) ? callerHost
        : options.PublicHost;

    static void AddRequestHeader(HttpRequestMessage target, string name, StringValues values)
    {
        if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) || name.Equals("Expires", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Last-Modified", StringComparison.OrdinalIgnoreCase) || name.Equals("Allow", StringComparison.OrdinalIgnoreCase))
        {
            // Content headers belong on the content; without a body there is nothing to describe.
            if (target.Content is null || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) return;
            target.Content.Headers.Remove(name);
            target.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            return;
        }
        target.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
    }

    /// <summary>
    /// What makes an answer's length ambiguous, or null: Content-Length values that differ, or a Content-Length beside a
    /// Transfer-Encoding. RFC 9112 section 6.3 has a proxy discard such a response and answer 502: which bytes are the body
    /// depends on which header a reader believes (response splitting), and a copied Content-Length that the chunked body
    /// did not match failed the gateway's own write as a 500.
    /// </summary>
    public static string? FramingFault(HttpResponseMessage response)
    {
        if (!response.Content.Headers.NonValidated.TryGetValues("Content-Length", out var lengths)) return null;
        if (response.Headers.NonValidated.Contains("Transfer-Encoding")) return "both Content-Length and Transfer-Encoding";
        var distinct = lengths.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal);
        return distinct.Skip(1).Any() ? "Content-Length values that differ" : null;
    }

    /// <summary>
    /// A transfer coding other than chunked (<c>gzip, chunked</c>), or null. .NET's handler undoes only chunked, and the
    /// Transfer-Encoding header is not passed on (one hop's), so the caller got the gzip bytes as the plain body; RFC 9112
    /// section 7 has such a coding undone by the hop or the answer refused, as nginx refuses it (502).
    /// </summary>
    public static string? UnknownTransferCoding(HttpResponseMessage response)
    {
        if (!response.Headers.NonValidated.TryGetValues("Transfer-Encoding", out var codings)) return null;
        return codings.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .FirstOrDefault(c => !c.Equals("chunked", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The name of the first header whose value Kestrel would refuse to write (a control character other than HTAB, or a
    /// character outside US-ASCII: HttpClient reads a raw UTF-8 byte as Latin-1), so the answer is refused whole (a 502)
    /// rather than failing as the gateway's own 500 when its headers are written; null when every value can be sent.
    /// </summary>
    public static string? FirstUnsendable(List<KeyValuePair<string, IEnumerable<string>>> headers)
    {
        foreach (var (name, values) in headers)
            foreach (var value in values)
                foreach (var c in value ?? "")
                    if (c is (< ' ' and not '\t') or > '~') return name.Length <= 100 ? name : name[..100] + "...";
        return null;
    }

    public List<KeyValuePair<string, IEnumerable<string>>> ResponseHeaders(HttpResponseMessage response, Func<string, string?> rewriteLocation)
    {
        var connectionListed = response.Headers.NonValidated.TryGetValues("Connection", out var connection) ? RestHeaders.ListedInConnection(connection) : null;
        var result = new List<KeyValuePair<string, IEnumerable<string>>>(16);
        void Add(string name, IEnumerable<string> values)
        {
            if (RestHeaders.HopByHop.Contains(name) || _responseRemove.Contains(name) || options.ResponseHeaders.Set.ContainsKey(name)
                || connectionListed?.Contains(name) == true)
                return;
            if (name.Equals("Location", StringComparison.OrdinalIgnoreCase))
            {
                var location = values.FirstOrDefault();
                if (location is not null) values = [rewriteLocation(location) ?? location];
            }
            result.Add(new(name, values));
        }
        // As received, not as HttpClient's parsers would write them again: parsing splits "Server: a/1 b/2" into two
        // fields and reorders Cache-Control's directives.
        foreach (var (name, values) in response.Headers.NonValidated) Add(name, [.. values]);
        foreach (var (name, values) in response.Content.Headers.NonValidated) Add(name, [.. values]);
        foreach (var (name, value) in options.ResponseHeaders.Set) result.Add(new(name, [value]));
        return result;
    }
}
