using Gateway.Bridges.Rest.Options;
using Microsoft.Extensions.Logging;

namespace Gateway.Bridges.Rest.Auth;

/// <summary>Adds an upstream's credentials to an outgoing request.</summary>
interface IUpstreamAuth : IDisposable
{
    ValueTask ApplyAsync(HttpRequestMessage request, CancellationToken cancellationToken);

    /// <summary>The upstream answered 401 to <paramref name="request"/>: drop cached credentials. True when a retry may succeed.</summary>
    bool Rejected(HttpRequestMessage request) => false;

    /// <summary>The query parameter carrying a credential, which callers may not set themselves.</summary>
    string? QueryParameter => null;

    void IDisposable.Dispose() { }

    static IUpstreamAuth Create(string upstream, UpstreamAuthOptions options, TimeSpan timeout, TimeProvider time, ILogger logger) => options.Type switch
    {
        UpstreamAuthType.ApiKey => new ApiKeyAuth(options.HeaderName, options.QueryName, options.Key!),
        UpstreamAuthType.Bearer => new StaticAuthorization("Bearer", options.Token!),
        UpstreamAuthType.Basic => new StaticAuthorization("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}"))),
        UpstreamAuthType.OAuth2ClientCredentials => new ClientCredentialsAuth(upstream, options, timeout, time, logger),
        _ => NoAuth.Instance,
    };
}

sealed class NoAuth : IUpstreamAuth
{
    public static readonly NoAuth Instance = new();
    public ValueTask ApplyAsync(HttpRequestMessage request, CancellationToken cancellationToken) => default;
}

sealed class StaticAuthorization(string scheme, string parameter) : IUpstreamAuth
{
    readonly System.Net.Http.Headers.AuthenticationHeaderValue _value = new(scheme, parameter);

    public ValueTask ApplyAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = _value;
        return default;
    }
}

sealed class ApiKeyAuth(string headerName, string? queryName, string key) : IUpstreamAuth
{
    public string? QueryParameter => queryName;

    public ValueTask ApplyAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (queryName is null)
        {
            request.Headers.Remove(headerName);
            request.Headers.TryAddWithoutValidation(headerName, key);
        }
        else
        {
            // Appended to the target as built (UpstreamPath.Combine), not through UriBuilder, which re-escaped the caller's
            // query ('%zz' as '%25zz', '|' as '%7C') that goes to the upstream byte for byte.
            var target = request.RequestUri!.OriginalString;
            var pair = Uri.EscapeDataString(queryName) + "=" + Uri.EscapeDataString(key);
            var separator = !target.Contains('?', StringComparison.Ordinal) ? "?" : target.EndsWith('?') ? "" : "&";
            request.RequestUri = new Uri(target + separator + pair, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        }
        return default;
    }
}
