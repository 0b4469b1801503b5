using Gateway.Contracts.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.Security;

/// <summary>Caller security: authentication (API keys, JWT bearer, HTTP message signatures), default-deny access, limits, modes.</summary>
public static class SecuritySetup
{
    public const string Scheme = "Gateway";

    public static IServiceCollection AddGatewaySecurity(this IServiceCollection services, IConfiguration config)
    {
        var section = config.GetSection(SecurityOptions.Section);
        services.AddOptions<SecurityOptions>().Bind(section);
        var security = section.Get<SecurityOptions>() ?? new SecurityOptions();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<AccessEvaluator>();
        services.AddSingleton<SecurityEvents>();
        services.AddHostedService<SecurityStartup>();

        var auth = services.AddAuthentication(Scheme);
        auth.AddPolicyScheme(Scheme, "API key, bearer token or HTTP message signature", o => o.ForwardDefaultSelector = SelectScheme);
        auth.AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyHandler.SchemeName, null);
        auth.AddScheme<AuthenticationSchemeOptions, SignatureHandler>(SignatureHandler.SchemeName, null);
        services.AddSingleton<SignatureKeyring>();
        auth.AddGatewayJwt(security.Jwt, IsDevelopment(config));
        services.TryAddSingleton<INonceStore, InMemoryNonceStore>();
        services.AddAuthorization();
        services.Configure<Microsoft.AspNetCore.OpenApi.OpenApiOptions>("v1", SecuritySchemesTransformer.Configure);

        services.AddGatewayRateLimits(security.RateLimits);
        services.AddRequestTimeouts(o =>
        {
            o.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(Math.Max(1, security.Limits.RequestTimeoutSeconds)),
                WriteTimeoutResponse = context => AccessMiddleware.Write(context, ErrorCode.Timeout, "The request took longer than allowed.").AsTask(),
            };
        });
        services.Configure<KestrelServerOptions>(o =>
        {
            // A negative limit stops the start (SecurityLimitsCheck), named; Kestrel's own refusal of it would not name it.
            o.Limits.MaxRequestBodySize = Math.Max(0, security.Limits.MaxRequestBodyBytes);
            // Kestrel answers bare 414/431s above its own ceilings; keep them well above ours so callers get
            // problem+json (docs/errors.md lists what only Kestrel can answer).
            o.Limits.MaxRequestHeadersTotalSize = Math.Max(256 * 1024, security.Limits.MaxHeaderBytes * 4);
            o.Limits.MaxRequestHeaderCount = Math.Max(1000, security.Limits.MaxHeaderCount * 4);
            o.Limits.MaxRequestLineSize = Math.Max(64 * 1024, Gateway.Problems.RawPathGuard.MaxTargetLength * 4);
            o.AddServerHeader = false;
            // Header bytes above 0x7F would be Kestrel's bare 400; read them as Latin-1 so HeaderLimitMiddleware
            // refuses them as problem+json instead (nothing non-ASCII gets further either way). Not Content-Length:
            // Kestrel's custom-encoding path drops the connection without an answer on an overflowing one.
            o.RequestHeaderEncodingSelector = name =>
                string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase) ? null : System.Text.Encoding.Latin1;
        });
        return services;
    }

    /// <summary>Goes right after the problem middleware (routing has run; the raw path guard has too).</summary>
    public static WebApplication UseGatewaySecurity(this WebApplication app)
    {
        app.UseMiddleware<HeaderLimitMiddleware>();
        app.UseAuthentication();
        // Only when a limit is on. The middleware makes its own endpoint limiter, whose 100 ms timer it never stops
        // (dotnet/aspnetcore#66434): that timer keeps the whole app reachable after it is disposed, which costs a test
        // process starting hundreds of apps ~20 MB each. With no global limiter and no endpoint policy (the gateway sets
        // none) the middleware only passes requests on, so leaving it out changes nothing.
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>>().Value.GlobalLimiter is not null)
            app.UseRateLimiter();
        app.UseMiddleware<AccessMiddleware>();
        app.UseAuthorization();
        app.UseRequestTimeouts();
        return app;
    }

    private static bool IsDevelopment(IConfiguration config) =>
        string.Equals(config[HostDefaults.EnvironmentKey], Environments.Development, StringComparison.OrdinalIgnoreCase);

    private static string SelectScheme(HttpContext context)
    {
        var headers = context.Request.Headers;
        // More than one credential is refused by the API key handler, whichever of them would have been valid.
        if (ApiKeyHandler.PresentsMoreThanOneCredential(context.Request)) return ApiKeyHandler.SchemeName;
        if (headers.ContainsKey("Signature-Input") || headers.ContainsKey("Signature")) return SignatureHandler.SchemeName;
        if (headers.Authorization.Count == 1 && headers.Authorization[0]?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true
            && context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<SecurityOptions>>().Value.Jwt.Enabled)
            return JwtSetup.SchemeName;
        return ApiKeyHandler.SchemeName;
    }
}
