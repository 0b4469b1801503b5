using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Gateway.Security;

/// <summary>Authenticates <c>X-Api-Key: &lt;key&gt;</c> or <c>Authorization: ApiKey &lt;key&gt;</c>.</summary>
public sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiKeyStore keys, TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (PresentsMoreThanOneCredential(Request))
            return Fail(SecurityEvent.InvalidCredentials, "Present one credential: an API key, a bearer token or a signature, not several.");
        var presented = Read(Request);
        if (presented is null) return Task.FromResult(AuthenticateResult.NoResult());
        var entry = presented.Length is > 0 and <= 512 ? keys.Find(presented) : null;
        if (entry is null) return Fail(SecurityEvent.InvalidCredentials, "The API key is not valid.");
        if (entry.Revoked) return Fail(SecurityEvent.RevokedCredentials, "The API key is not valid.");
        if (entry.ExpiresAt is { } expires && expires <= time.GetUtcNow()) return Fail(SecurityEvent.ExpiredCredentials, "The API key is not valid.");
        var principal = CallerClaims.Create(entry.Name, "api-key", SchemeName, entry.Scopes);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    private Task<AuthenticateResult> Fail(SecurityEvent kind, string message)
    {
        Context.Items[typeof(AuthFailure)] = new AuthFailure(kind, message);
        return Task.FromResult(AuthenticateResult.Fail(message));
    }

    public static bool IsPresent(HttpRequest request) => Read(request) is not null;

    /// <summary>
    /// Whether the request carries credentials in more than one place (<c>X-Api-Key</c>, <c>Authorization</c>, an HTTP
    /// message signature). Taking one and ignoring the rest would serve a request whose other credential is invalid.
    /// </summary>
    public static bool PresentsMoreThanOneCredential(HttpRequest request)
    {
        var headers = request.Headers;
        var carriers = (headers.ContainsKey(HeaderName) ? 1 : 0) + (headers.ContainsKey("Authorization") ? 1 : 0)
            + (headers.ContainsKey("Signature-Input") || headers.ContainsKey("Signature") ? 1 : 0);
        return carriers > 1;
    }

    private static string? Read(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out var header)) return header.Count == 1 ? header[0] ?? "" : "";
        var auth = request.Headers.Authorization;
        if (auth.Count == 1 && auth[0] is { } value && value.StartsWith("ApiKey ", StringComparison.OrdinalIgnoreCase))
            return value["ApiKey ".Length..].Trim();
        return null;
    }
}

/// <summary>Why authentication failed, kept on the request for the access check's answer and the security event.</summary>
public sealed record AuthFailure(SecurityEvent Kind, string Message);
