using System.Globalization;
using System.Threading.RateLimiting;
using Gateway.Contracts.Errors;
using Microsoft.AspNetCore.RateLimiting;

namespace Gateway.Security;

/// <summary>Per-caller fixed-window limits (anonymous callers by address); a refusal is a 429 problem with Retry-After.</summary>
internal static class RateLimitSetup
{
    public static IServiceCollection AddGatewayRateLimits(this IServiceCollection services, RateLimitOptions limits)
    {
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Switched off (PermitLimit 0 and no caller of its own): no global limiter at all, so no request takes its lock.
            if (limits.PermitLimit <= 0 && limits.Callers.Values.All(permits => permits <= 0)) return;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (context.GetEndpoint()?.Metadata.GetMetadata<GatewayAnonymousMetadata>() is not null)
                    return RateLimitPartition.GetNoLimiter("anonymous-endpoint");
                if (!limits.LimitLoopbackInDevelopment && context.Connection.IsFromLoopback()
                    && context.RequestServices.GetRequiredService<IHostEnvironment>().IsDevelopment())
                    return RateLimitPartition.GetNoLimiter("development-loopback");
                var caller = context.User.CallerName();
                var key = caller is null ? "address:" + context.Connection.RemoteIpAddress : "caller:" + caller;
                var permits = caller is not null && limits.Callers.TryGetValue(caller, out var own) ? own : limits.PermitLimit;
                if (permits <= 0) return RateLimitPartition.GetNoLimiter(key);
                return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = permits,
                    Window = TimeSpan.FromSeconds(Math.Max(1, limits.WindowSeconds)),
                    QueueLimit = 0,
                });
            });
            o.OnRejected = async (rejected, ct) =>
            {
                var context = rejected.HttpContext;
                var retry = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after)
                    ? (int)Math.Ceiling(after.TotalSeconds) : Math.Max(1, limits.WindowSeconds);
                context.RequestServices.GetRequiredService<SecurityEvents>().Denied(context, SecurityEvent.RateLimited, "rate limit reached");
                context.Response.Headers.RetryAfter = Math.Max(1, retry).ToString(CultureInfo.InvariantCulture);
                await AccessMiddleware.Write(context, ErrorCode.Throttled, $"Too many requests; try again in {Math.Max(1, retry)} s.");
            };
        });
        return services;
    }
}
