using System.Net;

namespace Gateway.Security;

/// <summary>Fail-closed checks for every environment other than Development. Each error names the setting to fix.</summary>
internal static class ProductionGuard
{
    public static IEnumerable<string> Errors(SecurityOptions security, ApiKeyStore keys, IConfiguration configuration, EndpointDataSource endpoints)
    {
        var usableKeys = keys.Keys.Count(k => !k.Revoked);
        if (usableKeys == 0 && !security.Jwt.Enabled && security.Signatures.Keys.Count == 0)
            yield return "Gateway:Security: no authentication is configured. Set Gateway:Security:ApiKeys (or ApiKeysFile), Gateway:Security:Jwt or Gateway:Security:Signatures:Keys.";
        foreach (var key in keys.Keys.Where(k => k.Development))
            yield return $"Gateway:Security:ApiKeys:{key.Name}:Development is true: development keys are refused outside Development.";
        if (File.Exists(keys.LocalAdminKeyPath))
            yield return $"Gateway:DataDirectory holds a development key ({keys.LocalAdminKeyPath}); delete it before running outside Development.";
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<GatewayAnonymousMetadata>() is null) continue;
            var route = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            if (!route.StartsWith("/health", StringComparison.Ordinal))
                yield return $"Route '{route}' allows anonymous callers; outside Development only /health routes may (remove AllowGatewayAnonymous).";
        }
        if (!security.AllowPlainHttp)
        {
            var urls = Urls(configuration).ToList();
            if (urls.Count == 0)
                yield return "Urls: no HTTPS endpoint is configured (set Urls or Kestrel:Endpoints to https://..., or Gateway:Security:AllowPlainHttp=true when TLS ends at a proxy).";
            foreach (var url in urls.Where(u => !u.Value.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
                yield return $"{url.Setting}: '{url.Value}' is not HTTPS. Production requires HTTPS (or Gateway:Security:AllowPlainHttp=true when TLS ends at a proxy).";
        }
    }

    /// <summary>The addresses the server will bind, with the setting each came from.</summary>
    public static IEnumerable<(string Setting, string Value)> Urls(IConfiguration configuration)
    {
        foreach (var key in new[] { "urls", "http_ports", "https_ports" })
        {
            var value = configuration[key];
            if (string.IsNullOrWhiteSpace(value)) continue;
            foreach (var part in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                yield return key switch
                {
                    "http_ports" => ("HTTP_PORTS", "http://*:" + part),
                    "https_ports" => ("HTTPS_PORTS", "https://*:" + part),
                    _ => ("Urls", part),
                };
        }
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
            if (endpoint["Url"] is { Length: > 0 } url) yield return ($"Kestrel:Endpoints:{endpoint.Key}:Url", url);
    }

    public static bool IsLoopback(string url)
    {
        var rest = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var host = rest.Split('/')[0];
        if (host.StartsWith('['))
            host = host[1..host.IndexOf(']')];
        else if (host.LastIndexOf(':') is var colon and > 0)
            host = host[..colon];
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }
}
