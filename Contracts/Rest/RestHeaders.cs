namespace Gateway.Contracts.Rest;

/// <summary>Request headers that belong to the caller's hop to the gateway and never travel further.</summary>
public static class RestHeaders
{
    /// <summary>
    /// Hop-by-hop headers (RFC 9110 7.6.1), the caller's credentials toward the gateway, and forwarding facts a
    /// caller could forge. Dropped before a request leaves the gateway (even toward its own bridge host).
    /// </summary>
    public static readonly IReadOnlySet<string> CallerOnly = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Host", "Expect", "Authorization", "X-Api-Key", "Signature", "Signature-Input",
        "Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix", "X-Real-IP",
    };
}
