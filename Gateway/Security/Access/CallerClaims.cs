using System.Security.Claims;

namespace Gateway.Security;

/// <summary>The claims every authentication method gives a caller.</summary>
public static class CallerClaims
{
    public const string Scope = "gateway:scope";
    public const string Method = "gateway:auth";

    public static ClaimsPrincipal Create(string caller, string method, string scheme, IEnumerable<string> scopes)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, caller), new(Method, method) };
        claims.AddRange(scopes.Select(s => new Claim(Scope, s)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    public static string? CallerName(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.Identity.Name : null;
}
