using Gateway.Channel.Families;
using Gateway.Problems;
using Gateway.Routing;
using Gateway.Security;
using Gateway.Contracts.Errors;
using Gateway.Contracts.Rest;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Rest;

public static class RestEndpoints
{
    static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

    public static IEndpointRouteBuilder MapRestEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/v1/rest/{upstream}/{**path}", Methods, Forward)
            .WithTags("REST upstreams")
            .WithName("ForwardToUpstream")
            .RequireGatewayAccess("rest/{upstream}/{**path}")
            .TakesAnyBody()
            .TakesAnyQuery()
            .WithoutRequestTimeout()
            .WithSummary("Forwards the call to the configured upstream {upstream}; the answer is the upstream's, streamed.")
            .WithDescription("Only upstreams configured under Gateway:Rest:Upstreams can be reached. Idempotent calls (GET, HEAD, PUT, DELETE, or any call with an Idempotency-Key header) are retried on transient failures.")
            .DisableAntiforgery()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        return app;
    }

    static async Task<RestProxyResult> Forward(HttpContext http, string upstream, string? path, BridgeRegistry<IRestUpstream> upstreams)
    {
        var target = upstreams.Find(upstream)
            ?? throw new GatewayException(ErrorCode.NotFound, $"No REST upstream named '{upstream}' is configured.");
        // The upstream's answer is passed on as it is: no problem body is added to its bare 4xx/5xx.
        if (http.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
        var request = http.Request;
        var hasBody = http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? request.ContentLength > 0;
        // A declared length over the upstream's limit is refused before a byte of the body is read, so a caller that sent
        // "Expect: 100-continue" gets the 413 instead of "100 Continue" and an upload cut off (session-43 REST probe).
        if (hasBody && LimitOf(target) is { } max && RequestBodyLimit.IsOver(request.ContentLength, max))
            throw RequestBodyLimit.Exceeded(max);
        if (hasBody && http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = null; // the upstream's own limit is enforced while streaming, as a 413 problem

        var response = await target.SendAsync(new RestRequest
        {
            Method = request.Method,
            Path = path ?? "",
            TrailingSlash = request.Path.Value?.EndsWith('/') == true,
            QueryString = request.QueryString.Value ?? "",
            Headers = request.Headers,
            Body = hasBody ? request.Body : null,
            ContentLength = hasBody ? request.ContentLength : null,
            Caller = new RestCaller(http.Connection.RemoteIpAddress?.ToString(), request.Scheme, request.Host.Value ?? "",
                $"{request.PathBase}/v1/rest/{upstream}"),
        }, http.RequestAborted);
        return new RestProxyResult(response, HttpMethods.IsHead(request.Method));
    }

    /// <summary>The upstream's body limit; null from a remote bridge host that does not describe it (it checks on its own).</summary>
    static long? LimitOf(IRestUpstream target)
    {
        try { return target.MaxRequestBodyBytes; }
        catch (NotSupportedException) { return null; }
    }
}
