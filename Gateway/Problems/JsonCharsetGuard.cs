using System.Text;
using Gateway.Contracts.Errors;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace Gateway.Problems;

/// <summary>
/// The charset of a JSON body, checked before an endpoint binds it. ASP.NET looks the parameter up as given, so a quoted
/// value (<c>charset="utf-8"</c>, the same parameter by RFC 9110 §5.6.6), an empty one or a name no encoding has made the
/// binder throw, a 500. A quoted name is read unquoted; a charset that names no encoding, or one given twice, is a 415.
/// </summary>
internal static class JsonCharsetGuard
{
    public static string? Check(HttpContext context)
    {
        var request = context.Request;
        if (context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>() is not { } accepts
            || !accepts.ContentTypes.Contains("application/json", StringComparer.OrdinalIgnoreCase)
            || !request.HasJsonContentType()
            || !MediaTypeHeaderValue.TryParse(request.ContentType, out var media)
            || !media.Charset.HasValue)
            return null;
        // Two charsets are ambiguous, and an error by RFC 6838 §4.3 (no parameter may be given twice): neither is picked.
        if (media.Parameters.Count(p => p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase)) > 1)
            return "The Content-Type of the JSON body has the charset given more than once; give it once (charset=utf-8, or none).";
        var name = HeaderUtilities.RemoveQuotes(media.Charset).ToString();
        if (Known(name) is not { } encoding) return $"The charset '{Shown(name)}' of the JSON body names no encoding the gateway reads; send UTF-8 (charset=utf-8, or none).";
        if (name.Length != media.Charset.Length)
        {
            // The encoding's web name, a plain token: a quoted alias may hold characters a bare value cannot ("iso_8859-1:1987").
            media.Charset = encoding.WebName;
            request.ContentType = media.ToString();
        }
        return null;
    }

    private static Encoding? Known(string name)
    {
        if (name.Length == 0) return null;
        try { return Encoding.GetEncoding(name); }
        catch (ArgumentException) { return null; }
        catch (NotSupportedException) { return null; }
    }

    /// <summary>The name as given when it is short printable ASCII, so the detail never echoes arbitrary bytes.</summary>
    private static string Shown(string name) =>
        name.Length <= 40 && name.All(c => c is >= ' ' and <= '~' and not '\'') ? name : "(not shown)";

    public static IApplicationBuilder UseJsonCharsetGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (Check(context) is { } reason)
        {
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await GatewayExceptionHandler.WriteAsync(problems, context, ErrorCode.UnsupportedMediaType, reason);
            return;
        }
        await next(context);
    });
}
