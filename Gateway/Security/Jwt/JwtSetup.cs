using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Security;

/// <summary>JWT bearer tokens: issuer, audiences and signing keys (or an OIDC authority) from Gateway:Security:Jwt.</summary>
internal static class JwtSetup
{
    public const string SchemeName = JwtBearerDefaults.AuthenticationScheme;

    public static void AddGatewayJwt(this AuthenticationBuilder auth, JwtOptions jwt, bool development)
    {
        if (!jwt.Enabled) return;
        auth.AddJwtBearer(SchemeName, o =>
        {
            o.MapInboundClaims = false;
            if (!string.IsNullOrWhiteSpace(jwt.Authority))
            {
                o.Authority = jwt.Authority;
                o.RequireHttpsMetadata = !development;
            }
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidateIssuer = true,
                ValidIssuer = string.IsNullOrWhiteSpace(jwt.Issuer) ? null : jwt.Issuer,
                ValidateAudience = true,
                ValidAudiences = jwt.Audiences,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ValidateIssuerSigningKey = true,
                IssuerSigningKeys = jwt.SigningKeys.Select(SigningKey).ToList(),
                ValidAlgorithms = Algorithms(jwt),
                ValidTypes = jwt.TokenTypes,
                ClockSkew = TimeSpan.FromSeconds(Math.Max(0, jwt.ClockSkewSeconds)),
            };
            o.Events = new JwtBearerEvents
            {
                OnTokenValidated = context =>
                {
                    var claims = context.Principal!;
                    var name = claims.FindFirst(jwt.NameClaim)?.Value ?? claims.FindFirst("client_id")?.Value ?? claims.FindFirst("azp")?.Value;
                    if (string.IsNullOrEmpty(name))
                    {
                        context.HttpContext.Items[typeof(AuthFailure)] = new AuthFailure(SecurityEvent.InvalidCredentials, "The bearer token names no caller.");
                        context.Fail("no caller claim");
                        return Task.CompletedTask;
                    }
                    var scopes = claims.FindAll(jwt.ScopeClaim).Concat(claims.FindAll("scp"))
                        .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal);
                    if (!jwt.AllowInlineGrants)
                    {
                        var policies = context.HttpContext.RequestServices.GetRequiredService<AccessEvaluator>();
                        scopes = scopes.Where(policies.IsPolicy);
                    }
                    context.Principal = CallerClaims.Create("jwt:" + name, "jwt", SchemeName, scopes);
                    return Task.CompletedTask;
                },
                OnAuthenticationFailed = context =>
                {
                    var expired = context.Exception is SecurityTokenExpiredException;
                    context.HttpContext.Items[typeof(AuthFailure)] = new AuthFailure(
                        expired ? SecurityEvent.ExpiredCredentials : SecurityEvent.InvalidCredentials, "The bearer token is not valid.");
                    return Task.CompletedTask;
                },
            };
        });
    }

    /// <summary>A PEM public key (RSA or EC), or a base64 symmetric key of at least 32 bytes.</summary>
    public static SecurityKey SigningKey(string text)
    {
        text = text.Trim();
        if (text.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            try { var rsa = RSA.Create(); rsa.ImportFromPem(text); return new RsaSecurityKey(rsa); }
            catch (ArgumentException) { }
            catch (CryptographicException) { }
            var ec = ECDsa.Create();
            ec.ImportFromPem(text);
            return new ECDsaSecurityKey(ec);
        }
        var bytes = Convert.FromBase64String(text);
        if (bytes.Length < 32) throw new FormatException("A symmetric JWT signing key needs at least 32 bytes.");
        return new SymmetricSecurityKey(bytes);
    }

    static readonly HashSet<string> KnownAlgorithms = new(StringComparer.Ordinal)
    {
        SecurityAlgorithms.HmacSha256, SecurityAlgorithms.HmacSha384, SecurityAlgorithms.HmacSha512,
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    };

    /// <summary>The pinned <c>alg</c> values: configured, or one per configured key type.</summary>
    public static List<string> Algorithms(JwtOptions jwt)
    {
        if (jwt.Algorithms.Count > 0) return [.. jwt.Algorithms];
        var algorithms = new List<string>();
        foreach (var key in jwt.SigningKeys.Select(SigningKey))
            algorithms.Add(key switch
            {
                SymmetricSecurityKey => SecurityAlgorithms.HmacSha256,
                RsaSecurityKey => SecurityAlgorithms.RsaSha256,
                ECDsaSecurityKey ec => ec.ECDsa.KeySize switch { 384 => SecurityAlgorithms.EcdsaSha384, 521 => SecurityAlgorithms.EcdsaSha512, _ => SecurityAlgorithms.EcdsaSha256 },
                _ => throw new FormatException("Unsupported JWT signing key."),
            });
        if (!string.IsNullOrWhiteSpace(jwt.Authority)) algorithms.AddRange([SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256]);
        return [.. algorithms.Distinct(StringComparer.Ordinal)];
    }

    public static IEnumerable<string> Errors(JwtOptions jwt)
    {
        if (!jwt.Enabled) yield break;
        foreach (var alg in jwt.Algorithms.Where(a => !KnownAlgorithms.Contains(a)))
            yield return $"Gateway:Security:Jwt:Algorithms: '{alg}' is not a supported JWS algorithm ({string.Join(", ", KnownAlgorithms)}).";
        if (jwt.TokenTypes.Count == 0 || jwt.TokenTypes.Any(string.IsNullOrWhiteSpace))
            yield return "Gateway:Security:Jwt:TokenTypes must name at least one token type (typ), e.g. JWT or at+jwt.";
        if (jwt.Audiences.Count == 0) yield return "Gateway:Security:Jwt:Audiences is empty; name the audience(s) tokens must be issued for.";
        if (string.IsNullOrWhiteSpace(jwt.Authority) && string.IsNullOrWhiteSpace(jwt.Issuer))
            yield return "Gateway:Security:Jwt:Issuer is required when no Authority is set.";
        for (var i = 0; i < jwt.SigningKeys.Count; i++)
        {
            string? error = null;
            try { SigningKey(jwt.SigningKeys[i]); }
            catch (Exception e) when (e is FormatException or ArgumentException or CryptographicException)
            {
                error = $"Gateway:Security:Jwt:SigningKeys:{i} is not a PEM public key or a base64 symmetric key of 32+ bytes.";
            }
            if (error is not null) yield return error;
        }
    }
}
