using Gateway.Contracts.Errors;

namespace Gateway.Problems;

/// <summary>
/// A request body may come in one transfer coding only: <c>chunked</c>, which Kestrel decodes. Kestrel refuses a
/// <c>Transfer-Encoding</c> whose last coding is not <c>chunked</c> (the body's end is then unknown), but it takes
/// <c>gzip, chunked</c> (or <c>deflate</c>, <c>identity</c>, <c>chunked, chunked</c> ahead of the last one) and hands
/// on the body with only the chunked framing removed: an object PUT stored the gzip bytes as the object and a REST
/// upstream was sent them as the body, not what the client meant. Such a request is refused with 501 before anything
/// is read or called, as RFC 9112 §6.1 says a server should answer a transfer coding it does not understand.
/// </summary>
internal static class TransferCodingGuard
{
    /// <summary>The codings of a request's <c>Transfer-Encoding</c> other than the one <c>chunked</c> Kestrel decodes, or null when there are none.</summary>
    public static string? UndecodedCodings(HttpRequest request)
    {
        var values = request.Headers.TransferEncoding;
        if (values.Count == 0) return null;
        var codings = values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        return codings is [var only] && only.Equals("chunked", StringComparison.OrdinalIgnoreCase) ? null : string.Join(", ", codings);
    }

    public static IApplicationBuilder UseTransferCodingGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (UndecodedCodings(context.Request) is { } codings)
        {
            // The body is left unread: the connection must not be reused for whatever follows it.
            context.Response.Headers.Connection = "close";
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await GatewayExceptionHandler.WriteAsync(problems, context, ErrorCode.NotSupported,
                $"Transfer-Encoding '{codings}': the gateway decodes only a body sent in the one transfer coding 'chunked'; nothing was read or stored.");
            return;
        }
        await next(context);
    });
}
