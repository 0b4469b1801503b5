using Gateway.Contracts.Errors;
using Gateway.Problems;
using Microsoft.Extensions.Options;

namespace Gateway.Security;

/// <summary>
/// 431 as problem+json for request headers above <c>Gateway:Security:Limits:MaxHeaderBytes</c> in total or
/// <c>MaxHeaderCount</c> lines. Kestrel's own ceilings are set higher (see <see cref="SecuritySetup"/>) so that this
/// answer, not Kestrel's bare one, is what callers see. Header values are US-ASCII: Kestrel reads other bytes as
/// Latin-1 (see <see cref="SecuritySetup"/>) and this refuses them with a 400 problem naming the header.
/// </summary>
internal sealed class HeaderLimitMiddleware(RequestDelegate next, IOptions<SecurityOptions> options, SecurityEvents events)
{
    private readonly int _max = options.Value.Limits.MaxHeaderBytes;
    private readonly int _maxCount = options.Value.Limits.MaxHeaderCount;

    public async Task InvokeAsync(HttpContext context)
    {
        long total = 0;
        var count = 0;
        string? nonAscii = null;
        foreach (var (name, values) in context.Request.Headers)
            foreach (var value in values)
            {
                total += name.Length + (value?.Length ?? 0) + 4;
                count++;
                if (nonAscii is null && value is not null && !System.Text.Ascii.IsValid(value)) nonAscii = name;
            }
        if (nonAscii is not null && total <= _max && count <= _maxCount)
        {
            await GatewayExceptionHandler.WriteAsync(context.RequestServices.GetRequiredService<IProblemDetailsService>(), context,
                ErrorCode.BadRequest, $"The header '{nonAscii}' holds bytes outside US-ASCII; header values are ASCII (encode other text first).");
            return;
        }
        string? detail = null;
        if (total > _max) detail = $"The request headers are larger than the {_max} bytes allowed.";
        else if (count > _maxCount) detail = $"The request has {count} header lines; at most {_maxCount} are allowed.";
        if (detail is not null)
        {
            events.Denied(context, SecurityEvent.HeadersTooLarge, $"request headers of {total} bytes in {count} lines (limits {_max}, {_maxCount})");
            await GatewayExceptionHandler.WriteAsync(context.RequestServices.GetRequiredService<IProblemDetailsService>(), context,
                ErrorCode.HeadersTooLarge, detail);
            return;
        }
        await next(context);
    }
}
