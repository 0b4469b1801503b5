using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Gateway.Security;

/// <summary>
/// 431 as problem+json for request headers above <c>Gateway:Security:Limits:MaxHeaderBytes</c>. Kestrel's own
/// ceiling is set higher (see <see cref="SecuritySetup"/>) so that this answer, not a bare one, is what callers see.
/// </summary>
internal sealed class HeaderLimitMiddleware(RequestDelegate next, IOptions<SecurityOptions> options, SecurityEvents events)
{
    public const string ProblemType = "https://gateway.dev/problems/headers-too-large";
    private readonly int _max = options.Value.Limits.MaxHeaderBytes;

    public async Task InvokeAsync(HttpContext context)
    {
        long total = 0;
        foreach (var (name, values) in context.Request.Headers)
            foreach (var value in values)
                total += name.Length + (value?.Length ?? 0) + 4;
        if (total > _max)
        {
            events.Denied(context, SecurityEvent.HeadersTooLarge, $"request headers of {total} bytes (limit {_max})");
            context.Response.StatusCode = StatusCodes.Status431RequestHeaderFieldsTooLarge;
            var problem = new ProblemDetails
            {
                Type = ProblemType,
                Title = "Request header fields too large",
                Status = StatusCodes.Status431RequestHeaderFieldsTooLarge,
                Detail = $"The request headers are larger than the {_max} bytes allowed.",
                Instance = context.Request.Path,
            };
            problem.Extensions["code"] = "headers-too-large";
            await context.RequestServices.GetRequiredService<IProblemDetailsService>()
                .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
            return;
        }
        await next(context);
    }
}
