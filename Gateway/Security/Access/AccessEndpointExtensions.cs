using Gateway.Contracts.Errors;

namespace Gateway.Security;

/// <summary>How a feature declares, on its endpoints, what they touch. An endpoint that declares nothing is refused.</summary>
public static class AccessEndpointExtensions
{
    /// <summary>The endpoint performs <paramref name="operation"/> on the resource the template names.</summary>
    public static TBuilder RequireGatewayAccess<TBuilder>(this TBuilder builder, Operation operation, string resource, bool prefix = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new GatewayAccessMetadata([new AccessRequirement(operation, resource, prefix)]));

    /// <summary>The operation follows the HTTP method (GET/HEAD/OPTIONS read, DELETE delete, others write).</summary>
    public static TBuilder RequireGatewayAccess<TBuilder>(this TBuilder builder, string resource)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new GatewayAccessMetadata([new AccessRequirement(null, resource)]));

    /// <summary>
    /// The resources are known only from the bound body (e.g. a copy's source and target): checked by an endpoint
    /// filter after binding and before the handler runs. A null resolution lets the handler reject the body itself.
    /// <paramref name="covering"/>: the grants that admit a caller whatever the body names (see <see cref="GatewayAccessFilterMetadata"/>).
    /// </summary>
    public static TBuilder RequireGatewayAccess<TBuilder, TBody>(this TBuilder builder, string description,
        Func<TBody, HttpContext, IEnumerable<ResourceAccess>?> resolve, params AccessRequirement[] covering)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new GatewayAccessFilterMetadata(description, covering));
        builder.AddEndpointFilter(async (context, next) =>
        {
            var body = context.Arguments.OfType<TBody>().FirstOrDefault();
            if (body is not null && resolve(body, context.HttpContext) is { } accesses)
            {
                var access = context.HttpContext.RequestServices.GetRequiredService<AccessEvaluator>();
                foreach (var a in accesses)
                {
                    if (!access.Allows(context.HttpContext.User, a))
                    {
                        context.HttpContext.RequestServices.GetRequiredService<SecurityEvents>()
                            .Denied(context.HttpContext, SecurityEvent.Forbidden, $"no {a.Operation.Name()} grant on the resource");
                        throw new GatewayException(ErrorCode.Forbidden, $"The caller may not {a.Operation.Name()} '{a.Resource}'.");
                    }
                }
            }
            return await next(context);
        });
        return builder;
    }

    /// <summary>
    /// The access rule of an endpoint that only lists a route's methods: who may call the route anonymously may ask, every
    /// other caller must be authenticated, no grant is needed (the methods are in the OpenAPI document anyway).
    /// </summary>
    public static IEnumerable<object> MethodListAccess(EndpointMetadataCollection route) =>
        [.. route.Where(m => m is GatewayAnonymousMetadata or GatewayLoopbackAnonymousMetadata), new GatewayMethodListMetadata()];

    /// <summary>Callable without credentials. In Production only health endpoints may be (checked at start).</summary>
    public static TBuilder AllowGatewayAnonymous<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new GatewayAnonymousMetadata());

    /// <summary>Callable without credentials from a loopback address; everyone else needs the declared access.</summary>
    public static TBuilder AllowGatewayAnonymousOnLoopback<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new GatewayLoopbackAnonymousMetadata());
}
