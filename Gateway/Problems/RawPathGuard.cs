using Gateway.Contracts.Errors;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Problems;

/// <summary>
/// Rejects request targets that try to smuggle path structure: dot segments (plain or encoded),
/// encoded slashes or backslashes, backslashes and NUL. Kestrel would otherwise normalise some of
/// them away before routing, so a traversal attempt would look like a different, valid path.
/// </summary>
internal static class RawPathGuard
{
    public static string? Check(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw)) return null;
        var q = raw.IndexOf('?');
        var path = q >= 0 ? raw[..q] : raw;
        if (path.Contains('\\')) return "Backslashes are not allowed in the path.";
        if (path.Contains("%2f", StringComparison.OrdinalIgnoreCase) || path.Contains("%5c", StringComparison.OrdinalIgnoreCase))
            return "Encoded slashes are not allowed in the path.";
        if (path.Contains("%00", StringComparison.Ordinal)) return "NUL is not allowed in the path.";
        foreach (var segment in path.Split('/'))
        {
            var decoded = segment.Replace("%2e", ".", StringComparison.OrdinalIgnoreCase);
            if (decoded is "." or "..") return "Dot segments ('.', '..') are not allowed in the path.";
        }
        return null;
    }

    public static IApplicationBuilder UseRawPathGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (Check(context) is { } reason)
        {
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await GatewayExceptionHandler.WriteAsync(problems, context, ErrorCode.BadRequest, reason);
            return;
        }
        await next(context);
    });
}
