using Gateway.Contracts.Errors;
using Gateway.Problems;
using Microsoft.Extensions.Options;

namespace Gateway.Security;

/// <summary>
/// Default deny. Runs after routing and authentication: an anonymous endpoint passes; everything else needs a
/// caller, and a matched endpoint must declare what it touches (<see cref="AccessEndpointExtensions"/>) and the
/// caller must hold a grant for each access. Unknown routes answer 401 to strangers, 404 to callers.
/// </summary>
internal sealed class AccessMiddleware(RequestDelegate next, AccessEvaluator access, SecurityEvents events,
    IOptions<SecurityOptions> options, IHostEnvironment environment)
{
    private readonly bool _anonymousApiDescription = environment.IsDevelopment() && options.Value.Development.AnonymousApiDescription;

    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<GatewayAnonymousMetadata>() is not null || (_anonymousApiDescription && IsApiDescription(context.Request.Path)))
        {
            await next(context);
            return;
        }
        // Anonymous from loopback means without credentials: a presented credential that failed is still refused.
        if (context.User.Identity?.IsAuthenticated != true && endpoint?.Metadata.GetMetadata<GatewayLoopbackAnonymousMetadata>() is not null
            && context.Items[typeof(AuthFailure)] is null
            && context.Connection.IsFromLoopback())
        {
            await next(context);
            return;
        }
        if (context.User.Identity?.IsAuthenticated != true)
        {
            var failure = context.Items[typeof(AuthFailure)] as AuthFailure;
            var presented = context.Request.Headers.Authorization.Count > 0;
            events.Denied(context, failure?.Kind ?? (presented ? SecurityEvent.InvalidCredentials : SecurityEvent.MissingCredentials),
                failure?.Message ?? (presented ? "an Authorization scheme the gateway does not take" : "no credentials"));
            context.Response.Headers.WWWAuthenticate = Challenge(context);
            await Write(context, ErrorCode.Unauthorized, failure?.Message ?? (presented
                // Bearer without a configured issuer, Basic, or another scheme: it was presented, so "required" would mislead.
                ? "The Authorization header carries no credential this gateway accepts: send 'ApiKey <key>' (or X-Api-Key), a bearer token where JWT is configured, or an HTTP message signature."
                : "Credentials are required: an API key (X-Api-Key), a bearer token or an HTTP message signature."));
            return;
        }
        StripCredentials(context);
        // Not a route endpoint: no route matched (404), a method the route lacks (405), or middleware such as Swagger UI.
        if (endpoint is not RouteEndpoint)
        {
            await next(context);
            return;
        }
        var requirements = endpoint.Metadata.GetOrderedMetadata<GatewayAccessMetadata>();
        if (requirements.Count == 0 && endpoint.Metadata.GetMetadata<GatewayAccessFilterMetadata>() is null
            && endpoint.Metadata.GetMetadata<GatewayMethodListMetadata>() is null)
        {
            events.Denied(context, SecurityEvent.NoAccessMapping, $"endpoint '{endpoint.DisplayName}' declares no access");
            await Write(context, ErrorCode.Forbidden, "This endpoint declares no access rule, so it is refused (default deny).");
            return;
        }
        foreach (var metadata in requirements)
        {
            foreach (var requirement in metadata.Requirements)
            {
                var wanted = new ResourceAccess(requirement.Operation ?? Operations.FromMethod(context.Request.Method),
                    ResourceTemplates.Resolve(requirement.Template, context), requirement.Prefix);
                if (!access.Allows(context.User, wanted))
                {
                    events.Denied(context, SecurityEvent.Forbidden, $"no {wanted.Operation.Name()} grant for template '{requirement.Template}'");
                    await Write(context, ErrorCode.Forbidden, $"The caller may not {wanted.Operation.Name()} '{wanted.Resource}'.");
                    return;
                }
            }
        }
        if (!await WithDigestCheck(context)) await next(context);
    }

    /// <summary>
    /// With a Content-Digest, the body is checked as it streams. On a mismatch the request's token is cancelled
    /// too, so a backend call waiting on the body gives up whatever it was doing, and the answer is 400 bad-digest
    /// however the failure surfaced downstream. True when the request was handled here.
    /// </summary>
    private async Task<bool> WithDigestCheck(HttpContext context)
    {
        var original = context.RequestAborted;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(original);
        var digest = ContentDigest.VerifyWhileReading(context, () =>
        {
            events.Denied(context, SecurityEvent.DigestMismatch, "body does not match Content-Digest");
            _ = Task.Run(() =>
            {
                try { cancel.Cancel(); }
                catch (ObjectDisposedException) { } // the request already ended
            }, CancellationToken.None);
        });
        if (digest is null) return false;
        context.RequestAborted = cancel.Token;
        try
        {
            await next(context);
        }
        catch (Exception) when (digest.Mismatched && !context.Response.HasStarted && !original.IsCancellationRequested)
        {
            // The cancel fires on a pool thread and may come late: the answer must not be written under its token,
            // or a cancel landing mid-write aborts the connection instead of sending the 400.
            context.RequestAborted = original;
            context.Response.Clear();
            await Write(context, ErrorCode.BadDigest, "The request body does not match its Content-Digest; nothing was changed.");
        }
        finally
        {
            context.RequestAborted = original;
        }
        return true;
    }

    /// <summary>
    /// The caller's gateway credentials are spent once authenticated: removed from the request so that no
    /// feature can pass them on (a REST upstream must never see them).
    /// </summary>
    private static void StripCredentials(HttpContext context)
    {
        var headers = context.Request.Headers;
        headers.Remove(ApiKeyHandler.HeaderName);
        headers.Remove("Signature");
        headers.Remove("Signature-Input");
        var method = context.User.FindFirst(CallerClaims.Method)?.Value;
        var authorization = headers.Authorization.ToString();
        if (method == "jwt" || authorization.StartsWith("ApiKey ", StringComparison.OrdinalIgnoreCase)) headers.Remove("Authorization");
    }

    private static bool IsApiDescription(PathString path) =>
        path.StartsWithSegments("/openapi") || path.StartsWithSegments("/swagger");

    internal static string Challenge(HttpContext context)
    {
        var jwt = context.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value.Jwt.Enabled;
        return jwt ? "ApiKey header=\"X-Api-Key\", Bearer, Signature" : "ApiKey header=\"X-Api-Key\", Signature";
    }

    internal static ValueTask Write(HttpContext context, ErrorCode code, string detail) =>
        GatewayExceptionHandler.WriteAsync(context.RequestServices.GetRequiredService<IProblemDetailsService>(), context, code, detail);
}
