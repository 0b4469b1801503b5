using System.Diagnostics;
using Gateway.ChannelHosting;

namespace Gateway.Observability;

/// <summary>
/// Puts the gateway's request id (the X-Request-Id its witnesses carry) on every log line of a request, as a log
/// scope, and on the request's span. ASP.NET's own scope carries the trace id, span id and its connection-level
/// RequestId; this one adds <c>GatewayRequestId</c>.
/// </summary>
internal sealed class RequestLogScope(RequestDelegate next, ILogger<RequestLogScope> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var id = context.Response.Headers[ChannelEndpoints.RequestIdHeader].ToString();
        // An unsampled request's activity only carries trace context: a tag there would be work nobody reads.
        if (Activity.Current is { IsAllDataRequested: true } span) span.SetTag("gateway.request_id", id);
        using (logger.BeginScope("GatewayRequestId:{GatewayRequestId}", id))
            await next(context);
    }
}
