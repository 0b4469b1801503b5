using Gateway.Contracts.Errors;

namespace Gateway.Storage;

/// <summary>
/// The facade addresses an object's current version, whole. A query parameter with which a platform's own API picks
/// another version or a part (S3's <c>versionId</c>, <c>partNumber</c> and <c>uploadId</c>, GCS's <c>generation</c>,
/// Azure's <c>snapshot</c> and <c>versionid</c>) is refused, not ignored: ignored, a DELETE meant for an old version
/// removed the current object, and a GET meant for one answered the current bytes. Other unknown parameters (cache
/// busters) are still ignored.
/// </summary>
internal static class VersionSelectors
{
    private static readonly string[] Names = ["versionId", "partNumber", "uploadId", "generation", "snapshot"];

    public static RouteHandlerBuilder RefusesVersionSelectors(this RouteHandlerBuilder builder) => builder.AddEndpointFilter((context, next) =>
    {
        foreach (var name in context.HttpContext.Request.Query.Keys)
            if (Names.Contains(name, StringComparer.OrdinalIgnoreCase))
                throw new GatewayException(ErrorCode.BadRequest,
                    $"The query parameter '{name}' selects an object version or part, which this API does not address (it acts on the current object, whole): refused rather than ignored.");
        return next(context);
    });
}
