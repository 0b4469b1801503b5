using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Gateway.Contracts.Errors;
using Microsoft.AspNetCore.Http.Metadata;

namespace Gateway.Problems;

/// <summary>
/// A call that changes something (POST, PUT, PATCH, DELETE) refuses a query parameter its endpoint does not take, instead
/// of ignoring it: ignored, <c>DELETE .../pods/web?gracePeriod=0</c> (for <c>gracePeriodSeconds</c>) deleted the pod with
/// the default grace period, and a misspelt <c>t</c> stopped a container with the default timeout. Reads keep ignoring
/// unknown names (cache busters change nothing). The REST forwarder, whose query is the upstream's, is marked with
/// <see cref="TakesAnyQuery{TBuilder}"/> and left alone; the S3 front door has its own rules.
/// </summary>
internal static class UnknownQueryGuard
{
    private sealed class TakesAnyQueryMetadata;

    private static readonly ConditionalWeakTable<Endpoint, FrozenSet<string>> Taken = [];

    /// <summary>The endpoint passes its query on (the REST forwarder): any name is taken.</summary>
    public static TBuilder TakesAnyQuery<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new TakesAnyQueryMetadata());

    /// <summary>Null when the request may go on; else why it is refused.</summary>
    public static string? Check(HttpContext context)
    {
        var method = context.Request.Method;
        if (!HttpMethods.IsPost(method) && !HttpMethods.IsPut(method) && !HttpMethods.IsPatch(method) && !HttpMethods.IsDelete(method)) return null;
        if (context.Request.QueryString.Value is not { Length: > 1 }) return null;
        if (context.GetEndpoint() is not RouteEndpoint endpoint || endpoint.Metadata.GetMetadata<TakesAnyQueryMetadata>() is not null) return null;
        // A route's catch-all (any method: the 405, or the 415 for a body its endpoint does not accept) changes nothing and
        // binds nothing; its own answer says more than this one would.
        if (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { HttpMethods.Count: > 0 }) return null;
        var taken = Taken.GetValue(endpoint, e => QueryParameters.Of((RouteEndpoint)e).Select(p => p.Name).ToFrozenSet(StringComparer.OrdinalIgnoreCase));
        foreach (var name in context.Request.Query.Keys)
        {
            if (taken.Contains(name)) continue;
            var named = name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')
                ? $"The query parameter '{name}' is"
                : "A query parameter is";
            var takes = taken.Count == 0 ? "it takes none" : $"it takes {string.Join(", ", taken.Order(StringComparer.Ordinal))}";
            return $"{named} not one this operation takes ({takes}): refused rather than ignored, since a call that changes something must not run other than asked.";
        }
        return null;
    }

    public static IApplicationBuilder UseUnknownQueryGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (Check(context) is { } reason) throw new GatewayException(ErrorCode.BadRequest, reason);
        await next(context);
    });
}
