namespace Gateway.Security;

/// <summary>Settings of section <c>Gateway:Security</c>. See docs/security.md.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Gateway:Security";

    /// <summary>API keys by name. Only hashes are stored (<c>sha256:&lt;hex&gt;</c>).</summary>
    public Dictionary<string, ApiKeyOptions> ApiKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Optional JSON file holding more API keys, shaped like the <c>ApiKeys</c> section (a secrets file).</summary>
    public string? ApiKeysFile { get; set; }

    /// <summary>Named sets of grants that scopes refer to. The policy <c>admin</c> (every operation on everything) is built in.</summary>
    public Dictionary<string, PolicyOptions> Policies { get; set; } = new(StringComparer.Ordinal);

    public JwtOptions Jwt { get; set; } = new();
    public SignatureOptions Signatures { get; set; } = new();
    public RateLimitOptions RateLimits { get; set; } = new();
    public RequestLimitOptions Limits { get; set; } = new();
    public DevelopmentOptions Development { get; set; } = new();

    /// <summary>Production only: accept plain HTTP (TLS ends at a proxy in front). Off by default.</summary>
    public bool AllowPlainHttp { get; set; }
}

public sealed class ApiKeyOptions
{
    /// <summary><c>sha256:</c> followed by the lowercase hex SHA-256 of the key's UTF-8 bytes.</summary>
    public string? Hash { get; set; }

    /// <summary>Policy names or inline grants (<c>read,write:stores/local/**</c>).</summary>
    public List<string> Scopes { get; set; } = [];

    public DateTimeOffset? ExpiresAt { get; set; }
    public bool Revoked { get; set; }

    /// <summary>Marks a key made for local development; Production refuses to start with one.</summary>
    public bool Development { get; set; }
}

public sealed class PolicyOptions
{
    public List<GrantOptions> Grants { get; set; } = [];
}

public sealed class GrantOptions
{
    public List<string> Operations { get; set; } = [];
    public List<string> Resources { get; set; } = [];
}

public sealed class JwtOptions
{
    /// <summary>OIDC authority; its discovery document supplies issuer and signing keys.</summary>
    public string? Authority { get; set; }
    public string? Issuer { get; set; }
    public List<string> Audiences { get; set; } = [];

    /// <summary>Signing keys: base64 symmetric keys (HS256) or PEM public keys (RSA / EC).</summary>
    public List<string> SigningKeys { get; set; } = [];

    /// <summary>Claim holding the space-separated scopes (policy names or inline grants).</summary>
    public string ScopeClaim { get; set; } = "scope";

    /// <summary>Claim naming the caller.</summary>
    public string NameClaim { get; set; } = "sub";

    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>
    /// The JWS algorithms accepted (<c>alg</c> header). Empty: derived from the signing keys (HS256 for a symmetric key,
    /// RS256 for RSA, ES256/ES384/ES512 by EC curve; RS256 and ES256 with an Authority). <c>none</c> is never accepted.
    /// </summary>
    public List<string> Algorithms { get; set; } = [];

    /// <summary>The token types accepted (<c>typ</c> header): a JWT access token (RFC 9068 <c>at+jwt</c>) or plain <c>JWT</c>.</summary>
    public List<string> TokenTypes { get; set; } = ["JWT", "at+jwt"];

    /// <summary>
    /// Whether this issuer's scopes may carry inline grants (<c>read,write:stores/local/**</c>). Off by default: an
    /// identity provider that lets clients request any scope string could otherwise mint <c>admin:**</c>. When off,
    /// only scopes naming a configured policy (or the built-in <c>admin</c> policy) count.
    /// </summary>
    public bool AllowInlineGrants { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) || SigningKeys.Count > 0;
}

public sealed class SignatureOptions
{
    public Dictionary<string, SignatureKeyOptions> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How old a signature's <c>created</c> may be; nonces are remembered this long.</summary>
    public int MaxAgeSeconds { get; set; } = 300;

    /// <summary>How far in the future <c>created</c> may lie (clock skew).</summary>
    public int ClockSkewSeconds { get; set; } = 30;
}

public sealed class SignatureKeyOptions
{
    /// <summary><c>ed25519</c> or <c>hmac-sha256</c>.</summary>
    public string Algorithm { get; set; } = "ed25519";

    /// <summary>ed25519: the raw 32-byte public key, base64.</summary>
    public string? PublicKey { get; set; }

    /// <summary>hmac-sha256: the shared secret, base64 (at least 32 bytes).</summary>
    public string? Secret { get; set; }

    public List<string> Scopes { get; set; } = [];
    public DateTimeOffset? ExpiresAt { get; set; }
    public bool Revoked { get; set; }
}

public sealed class RateLimitOptions
{
    /// <summary>Requests per window for each caller (anonymous callers by address). 0 turns the limit off.</summary>
    public int PermitLimit { get; set; } = 1200;
    public int WindowSeconds { get; set; } = 60;

    /// <summary>
    /// Off by default: in Development, callers on loopback (a newcomer's first script) are not limited.
    /// Every other environment and every remote caller is limited as configured.
    /// </summary>
    public bool LimitLoopbackInDevelopment { get; set; }

    /// <summary>Per-caller overrides of <see cref="PermitLimit"/>, by caller name.</summary>
    public Dictionary<string, int> Callers { get; set; } = new(StringComparer.Ordinal);
}

public sealed class RequestLimitOptions
{
    /// <summary>Total size of the request headers; above it the answer is 431.</summary>
    public int MaxHeaderBytes { get; set; } = 32 * 1024;

    /// <summary>Number of request header lines; above it the answer is 431.</summary>
    public int MaxHeaderCount { get; set; } = 100;

    /// <summary>Largest request body for endpoints that do not set their own (object PUT uses Gateway:Limits:MaxObjectBytes).</summary>
    public long MaxRequestBodyBytes { get; set; } = 30L * 1024 * 1024;

    /// <summary>Default request timeout; streaming endpoints (object transfer, REST forwarding) opt out.</summary>
    public int RequestTimeoutSeconds { get; set; } = 100;
}

public sealed class DevelopmentOptions
{
    /// <summary>In Development with no credentials configured, create a local admin key on first run (printed once, stored hashed).</summary>
    public bool CreateLocalAdminKey { get; set; } = true;

    /// <summary>Serve /openapi and /swagger without credentials (Development only).</summary>
    public bool AnonymousApiDescription { get; set; } = true;
}
