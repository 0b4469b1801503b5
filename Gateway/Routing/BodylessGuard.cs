using System.Buffers;
using Gateway.Contracts.Errors;
using Gateway.Problems;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace Gateway.Routing;

/// <summary>An endpoint that reads its body itself, of any media type (an object's PUT, the REST forwarder).</summary>
internal sealed class TakesAnyBodyMetadata;

/// <summary>
/// A route that takes no body refuses one, once for every route: a request that carries a body to an endpoint declaring
/// none (no <see cref="IAcceptsMetadata"/>, no <see cref="TakesAnyBodyMetadata"/>) is a 415 and reaches no handler, so
/// nothing is done. Without this, <c>POST .../restart</c> with <c>{"t":0}</c> or any text restarted the container and a
/// <c>DELETE</c> with a body deleted, though the body (what the caller meant) was never read. An empty body is no body
/// whatever its <c>Content-Type</c> says (<c>curl -X POST</c>, <c>curl -d ''</c>, a client library that always sends one),
/// and so is an empty JSON object, <c>{}</c> as a JSON media type (a client library posting "nothing" as JSON). OPTIONS is
/// left alone: it only describes the route.
/// </summary>
internal static class BodylessGuard
{
    /// <summary>An empty JSON object with some white space around it fits; anything longer is a body.</summary>
    internal const int EmptyObjectLimit = 64;

    /// <summary>Whether the endpoint takes no request body (the routes this guard covers).</summary>
    public static bool TakesNoBody(Endpoint endpoint) =>
        endpoint is RouteEndpoint
        && endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is { HttpMethods.Count: > 0 }
        && endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is null
        && endpoint.Metadata.GetMetadata<TakesAnyBodyMetadata>() is null;

    /// <summary>The endpoint reads a body of any media type itself (not refused here).</summary>
    public static TBuilder TakesAnyBody<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new TakesAnyBodyMetadata());

    /// <summary>Null when the request may go on; else why it is refused.</summary>
    public static async Task<string?> CheckAsync(HttpContext context)
    {
        var request = context.Request;
        if (context.GetEndpoint() is not { } endpoint || !TakesNoBody(endpoint) || HttpMethods.IsOptions(request.Method)) return null;
        // Content-Length: 0, or neither a length nor chunked: no body, whatever the Content-Type.
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false }) return null;
        var json = request.HasJsonContentType();
        if (request.ContentLength is { } length && (length > EmptyObjectLimit || !json)) return Refusal;
        // A chunked body may still be empty, and a short JSON one may be "{}": read what there is, up to the limit.
        var buffer = ArrayPool<byte>.Shared.Rent(EmptyObjectLimit + 1);
        try
        {
            var read = 0;
            while (read <= EmptyObjectLimit)
            {
                var n = await request.Body.ReadAsync(buffer.AsMemory(read, EmptyObjectLimit + 1 - read), context.RequestAborted);
                if (n == 0) break;
                read += n;
            }
            if (read == 0 || (json && read <= EmptyObjectLimit && IsEmptyObject(buffer.AsSpan(0, read)))) return null;
            return Refusal;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private const string Refusal = "This operation takes no request body; send none (an empty body, or {} as application/json, is taken as none).";

    /// <summary><c>{}</c>, with JSON white space (RFC 8259 §2) around and between the braces.</summary>
    internal static bool IsEmptyObject(ReadOnlySpan<byte> body)
    {
        var text = body.Trim(" \t\r\n"u8);
        return text.Length >= 2 && text[0] == (byte)'{' && text[^1] == (byte)'}' && text[1..^1].Trim(" \t\r\n"u8).IsEmpty;
    }

    /// <summary>After the route's grant and the named store (host, cluster), as the media type of a body is checked.</summary>
    public static IApplicationBuilder UseBodylessGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (await CheckAsync(context) is { } reason)
        {
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await GatewayExceptionHandler.WriteAsync(problems, context, ErrorCode.UnsupportedMediaType, reason);
            return;
        }
        await next(context);
    });
}
