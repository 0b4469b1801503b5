namespace Gateway.Bridges.Rest.Forwarding;

/// <summary>Headers that describe one connection, not the message (RFC 9110 section 7.6.1); never forwarded.</summary>
static class HopByHop
{
    static readonly HashSet<string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    public static bool IsHopByHop(string name) => Names.Contains(name);

    /// <summary>Hop-by-hop names plus those a Connection header lists.</summary>
    public static HashSet<string>? ListedInConnection(IEnumerable<string>? connectionValues)
    {
        if (connectionValues is null) return null;
        HashSet<string>? listed = null;
        foreach (var value in connectionValues)
            foreach (var token in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                (listed ??= new(StringComparer.OrdinalIgnoreCase)).Add(token);
        return listed;
    }
}
