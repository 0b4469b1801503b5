namespace Gateway.Bridges.Rest.Options;

public enum UpstreamAuthType
{
    None,
    ApiKey,
    Bearer,
    Basic,
    OAuth2ClientCredentials,
}

public enum ClientAuthenticationMethod
{
    /// <summary>client_secret_basic: HTTP Basic with the client id and secret.</summary>
    Basic,
    /// <summary>client_secret_post: client id and secret in the form body.</summary>
    Body,
}

/// <summary>Credentials the gateway adds toward one upstream. Values are secrets: never logged nor shown.</summary>
public sealed class UpstreamAuthOptions
{
    public UpstreamAuthType Type { get; set; } = UpstreamAuthType.None;

    // ApiKey: sent in HeaderName, or in the query parameter QueryName when that is set.
    public string? Key { get; set; }
    public string HeaderName { get; set; } = "X-Api-Key";
    public string? QueryName { get; set; }

    // Bearer
    public string? Token { get; set; }

    // Basic
    public string? Username { get; set; }
    public string? Password { get; set; }

    // OAuth2 client credentials (RFC 6749 section 4.4)
    public string? TokenUrl { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public string? Scope { get; set; }
    public string? Audience { get; set; }
    public ClientAuthenticationMethod ClientAuthentication { get; set; } = ClientAuthenticationMethod.Basic;

    /// <summary>A cached token is renewed this long before it expires.</summary>
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromSeconds(60);

    internal IEnumerable<string> Validate()
    {
        switch (Type)
        {
            case UpstreamAuthType.ApiKey:
                if (string.IsNullOrEmpty(Key)) yield return "Auth:Key is required for ApiKey";
                if (QueryName is null && string.IsNullOrWhiteSpace(HeaderName)) yield return "Auth:HeaderName or Auth:QueryName is required for ApiKey";
                break;
            case UpstreamAuthType.Bearer:
                if (string.IsNullOrEmpty(Token)) yield return "Auth:Token is required for Bearer";
                break;
            case UpstreamAuthType.Basic:
                if (string.IsNullOrEmpty(Username)) yield return "Auth:Username is required for Basic";
                if (Username?.Contains(':') == true) yield return "Auth:Username must not contain ':'";
                break;
            case UpstreamAuthType.OAuth2ClientCredentials:
                if (!Uri.TryCreate(TokenUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                    yield return "Auth:TokenUrl must be an absolute http or https URL for OAuth2ClientCredentials";
                if (string.IsNullOrEmpty(ClientId)) yield return "Auth:ClientId is required for OAuth2ClientCredentials";
                if (string.IsNullOrEmpty(ClientSecret)) yield return "Auth:ClientSecret is required for OAuth2ClientCredentials";
                if (RefreshBeforeExpiry < TimeSpan.Zero) yield return "Auth:RefreshBeforeExpiry must not be negative";
                break;
        }
        foreach (var value in new[] { Key, Token, Username, Password })
            if (value?.Any(c => c is '\r' or '\n' or '\0') == true)
            {
                yield return "Auth: credentials must not contain line breaks";
                break;
            }
    }
}
