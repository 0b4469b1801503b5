using Gateway.Contracts.Errors;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Problems;

/// <summary>
/// Rejects request targets that try to smuggle path structure: dot segments (plain or encoded),
/// encoded slashes, backslashes, encoded backslashes outside an object key, NUL and percent-escapes that are not UTF-8. Kestrel would otherwise normalise some of
/// them away before routing, so a traversal attempt would look like a different, valid path. Outside the REST forwarder,
/// the query string must be UTF-8 too, and a parameter given twice is refused.
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
        if (path.Contains("%2f", StringComparison.OrdinalIgnoreCase)) return "Encoded slashes ('%2F') are not allowed in the path; send '/' as '/'.";
        if (path[..StructureEnd(path)].Contains("%5c", StringComparison.OrdinalIgnoreCase))
            return "An encoded backslash ('%5C') is allowed only in an object key (after /v1/stores/{store}/buckets/{bucket}/objects/, written as is).";
        if (path.Contains("%00", StringComparison.Ordinal)) return "NUL is not allowed in the path.";
        if (PercentDecoding.TryDecode(path) is null)
            return "The path is not valid percent-encoded UTF-8 (each '%' starts two hex digits; no overlong forms or lone surrogates).";
        // REST upstreams get the query string as sent (a legacy service may expect another charset); everything else is UTF-8.
        if (q >= 0 && !path.StartsWith("/v1/rest/", StringComparison.Ordinal))
        {
            if (!ValidQuery(raw.AsSpan(q + 1))) return "The query string is not valid percent-encoded UTF-8.";
            // No parameter of the gateway's takes a list: a second value is ambiguous (a string one was joined with a comma,
            // prefix=a&prefix=b listing "a,b"), so it is refused for every parameter, as it was for numbers and flags.
            foreach (var (name, values) in context.Request.Query)
                if (values.Count > 1)
                    return name.Length <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')
                        ? $"The parameter '{name}' is given {values.Count} times; give it once."
                        : $"A query parameter is given {values.Count} times; give it once.";
        }
        var rest = path.StartsWith("/v1/rest/", StringComparison.Ordinal);
        foreach (var segment in path.Split('/'))
        {
            var decoded = segment.Replace("%2e", ".", StringComparison.OrdinalIgnoreCase);
            if (decoded is "." or "..") return "Dot segments ('.', '..') are not allowed in the path.";
            // Toward a REST upstream a dot segment with path parameters ('..;x') is one too: servlet containers (Tomcat, Jetty)
            // drop the parameters before they resolve dot segments, so it would leave the upstream's base there.
            if (rest && decoded.Replace("%3b", ";", StringComparison.OrdinalIgnoreCase) is var withParameters
                && withParameters.Contains(';', StringComparison.Ordinal) && withParameters.Split(';', 2)[0] is "." or "..")
                return "Dot segments ('.', '..') are not allowed in the path, with path parameters (';') or without.";
        }
        return null;
    }

    /// <summary>
    /// Where the path's structure ends: the start of an object key, else the whole path. A key may hold a backslash, which
    /// the S3 front door and a copy can write (S3 takes it), so in a key %5C is that character, sent the one way a request
    /// target can carry it; ObjectNames still refuses a '.' or '..' segment between backslashes. Everywhere else (the REST
    /// forwarder above all, whose Windows upstreams read '\' as '/') an encoded backslash is refused; so is one after a
    /// prefix written in another case or percent-encoded, which routing would still take (the safe side).
    /// </summary>
    private static int StructureEnd(string path)
    {
        const string stores = "/v1/stores/", buckets = "/buckets/", objects = "/objects/";
        if (!path.StartsWith(stores, StringComparison.Ordinal)) return path.Length;
        var store = path.IndexOf('/', stores.Length);
        if (store < 0 || string.CompareOrdinal(path, store, buckets, 0, buckets.Length) != 0) return path.Length;
        var bucket = path.IndexOf('/', store + buckets.Length);
        if (bucket < 0 || string.CompareOrdinal(path, bucket, objects, 0, objects.Length) != 0) return path.Length;
        return bucket + objects.Length;
    }

    private static bool ValidQuery(ReadOnlySpan<char> query)
    {
        foreach (var part in query.Split('&'))
            if (PercentDecoding.TryDecode(query[part]) is null) return false;
        return true;
    }

    /// <summary>Longest request target the gateway reads; Kestrel's own ceiling is higher, so this answer is problem+json.</summary>
    public const int MaxTargetLength = 8 * 1024;

    public static IApplicationBuilder UseRawPathGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > MaxTargetLength } target)
        {
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await GatewayExceptionHandler.WriteAsync(problems, context, ErrorCode.UriTooLong,
                $"The request target is {target.Length} characters long; at most {MaxTargetLength} are allowed.");
            return;
        }
        if (Check(context) is { } reason)
        {
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await GatewayExceptionHandler.WriteAsync(problems, context, ErrorCode.BadRequest, reason);
            return;
        }
        await next(context);
    });
}
