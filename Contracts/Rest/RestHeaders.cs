namespace Gateway.Contracts.Rest;

/// <summary>Request headers that belong to the caller's hop to the gateway and never travel further.</summary>
public static class RestHeaders
{
    /// <summary>Headers that describe one connection, not the message (RFC 9110 section 7.6.1).</summary>
    public static readonly IReadOnlySet<string> HopByHop = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    /// <summary>
    /// Hop-by-hop headers, the caller's credentials toward the gateway, forwarding facts a caller could forge, and the
    /// method and URL overrides web frameworks honour: the gateway authorized the request's own method and path, so an
    /// upstream must not run another. Dropped before a request leaves the gateway (even toward its own bridge host).
    /// </summary>
    public static readonly IReadOnlySet<string> CallerOnly = new HashSet<string>(HopByHop.Concat(
    [
        "Host", "Expect", "Authorization", "X-Api-Key", "Signature", "Signature-Input",
        "Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix", "X-Real-IP",
        "X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override", "X-Original-URL", "X-Rewrite-URL",
    ]), StringComparer.OrdinalIgnoreCase);

    /// <summary>The header names a message's Connection header lists (they are hop-by-hop too); null when none.</summary>
    public static HashSet<string>? ListedInConnection(IEnumerable<string?>? connectionValues)
    {
        if (connectionValues is null) return null;
        HashSet<string>? listed = null;
        foreach (var value in connectionValues)
            foreach (var token in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                (listed ??= new(StringComparer.OrdinalIgnoreCase)).Add(token);
        return listed;
    }

    /// <summary>The headers that may leave the gateway: neither caller-only nor named by the Connection header.</summary>
    public static IEnumerable<KeyValuePair<string, TValues>> Forwardable<TValues>(IEnumerable<KeyValuePair<string, TValues>> headers)
        where TValues : IEnumerable<string?>
    {
        HashSet<string>? listed = null;
        foreach (var (name, values) in headers)
            if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                (listed ??= new(StringComparer.OrdinalIgnoreCase)).UnionWith(ListedInConnection(values) ?? []);
        return headers.Where(h => !CallerOnly.Contains(h.Key) && listed?.Contains(h.Key) != true);
    }
}
