using System.Collections.Frozen;
using Gateway.Contracts.Errors;

namespace Gateway.Storage;

/// <summary>
/// The facade addresses an object's current version, whole. A query parameter with which a platform's own API picks
/// another version or a part (S3's <c>versionId</c>, <c>partNumber</c> and <c>uploadId</c>, GCS's <c>generation</c>,
/// Azure's <c>snapshot</c> and <c>versionid</c>) is refused, not ignored: ignored, a DELETE meant for an old version
/// removed the current object, and a GET meant for one answered the current bytes. Other unknown parameters (cache
/// busters) are still ignored on reads (<see cref="Problems.UnknownQueryGuard"/> refuses them on writes). A marker on the object routes and one middleware check, not an endpoint filter: a filter
/// would put every object request on the filtered (allocating) invocation path.
/// </summary>
internal static class VersionSelectors
{
    private static readonly FrozenSet<string> Names =
        new[] { "versionId", "partNumber", "uploadId", "generation", "snapshot" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private sealed class Marker;

    private static readonly Marker Refused = new();

    public static RouteHandlerBuilder RefusesVersionSelectors(this RouteHandlerBuilder builder) => builder.WithMetadata(Refused);

    /// <summary>After authentication and the route's grant, before the endpoint runs.</summary>
    public static IApplicationBuilder UseVersionSelectorGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.QueryString.HasValue && context.GetEndpoint()?.Metadata.GetMetadata<Marker>() is not null)
            foreach (var name in context.Request.Query.Keys)
                if (Names.Contains(name))
                    throw new GatewayException(ErrorCode.BadRequest,
                        $"The query parameter '{name}' selects an object version or part, which this API does not address (it acts on the current object, whole): refused rather than ignored.");
        await next(context);
    });
}
