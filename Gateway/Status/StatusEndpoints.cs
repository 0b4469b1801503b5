using Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Status;

public static class StatusEndpoints
{
    public static IServiceCollection AddStatusPage(this IServiceCollection services)
    {
        services.AddSingleton<BridgeCallStatistics>();
        services.AddSingleton<RecentRefusals>();
        return services;
    }

    /// <summary><c>GET /status</c>: the admin scope, or anonymous from loopback in Development.</summary>
    public static WebApplication MapStatusPage(this WebApplication app)
    {
        // Start listening at start-up, not at the first page view: the page shows the minute before it.
        app.Services.GetRequiredService<BridgeCallStatistics>();
        app.Services.GetRequiredService<RecentRefusals>();
        var endpoint = app.MapGet("/status", Page)
            .WithTags("Status")
            .WithName("StatusPage")
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .RequireGatewayAccess(Operation.Admin, "status")
            .WithSummary("The operators' status page (HTML): bridges with health, breaker, call and error rates and p95, the latest signed audit head, active migrations and recent refusals.");
        if (app.Environment.IsDevelopment()) endpoint.AllowGatewayAnonymousOnLoopback();
        return app;
    }

    private static ContentHttpResult Page(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
        return TypedResults.Content(StatusPage.Render(StatusSnapshot.Take(context.RequestServices)), "text/html; charset=utf-8");
    }
}
