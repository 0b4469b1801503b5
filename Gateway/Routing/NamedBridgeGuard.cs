using Gateway.Channel.Families;
using Gateway.Security;

namespace Gateway.Routing;

/// <summary>
/// The store, Docker host or cluster a route names, checked before anything else of the request is read: an unknown one is
/// a 404 (a malformed name a 400) whatever the query or the body, which are bound only after this (a copy body of
/// <c>{}</c> for a store that does not exist said "source and target are required").
/// </summary>
internal sealed record NamedBridgeMetadata(string RouteValue, Action<IServiceProvider, string> Check);

internal static class NamedBridgeGuard
{
    /// <summary>Every endpoint of the group names an instance of <typeparamref name="TBridge"/> in the route value <paramref name="routeValue"/>.</summary>
    public static TBuilder NamesBridge<TBuilder, TBridge>(this TBuilder builder, string routeValue)
        where TBuilder : IEndpointConventionBuilder where TBridge : class =>
        builder.WithMetadata(new NamedBridgeMetadata(routeValue,
            (services, name) => services.GetRequiredService<BridgeRegistry<TBridge>>().Get(name)));

    /// <summary>Throws the registry's not-found (or bad-request) when the endpoint names an instance that is not configured.</summary>
    public static void Check(HttpContext context, EndpointMetadataCollection metadata)
    {
        if (metadata.GetMetadata<NamedBridgeMetadata>() is { } named && context.GetRouteValue(named.RouteValue) is string name)
            named.Check(context.RequestServices, name);
    }

    /// <summary>
    /// After authentication and the route's access rule, before the query, the media type and the body are read. Where the
    /// grant is decided by the body (a copy), only a caller whose grants admit any body is told here; anyone else is judged
    /// on the body first, so a caller without a grant cannot tell configured names from unknown ones.
    /// </summary>
    public static IApplicationBuilder UseNamedBridgeGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint() is { } endpoint
            && (endpoint.Metadata.GetMetadata<GatewayAccessFilterMetadata>() is null
                || context.RequestServices.GetRequiredService<AccessEvaluator>().AllowsRoute(context, endpoint.Metadata)))
            Check(context, endpoint.Metadata);
        await next(context);
    });
}
