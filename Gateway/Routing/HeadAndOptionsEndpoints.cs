using Gateway.Contracts.Errors;
using Gateway.Problems;
using Gateway.Security;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Primitives;

namespace Gateway.Routing;

/// <summary>
/// HTTP's implied methods for every route, once, instead of per endpoint. A route that answers GET answers HEAD with the
/// same handler, headers and status (RFC 9110 §9.3.2; Kestrel sends no body for HEAD). Every route answers OPTIONS with 204
/// and an <c>Allow</c> header naming its methods (§9.3.7), and any other method with a 405 problem+json carrying the same
/// <c>Allow</c> (§15.5.6); a method the route has, with a body of a media type its endpoint does not accept, a 415. HEAD keeps the route's access rule; OPTIONS and the 405 tell no more than the OpenAPI document
/// does, so any authenticated caller gets them (anonymous where the route is). The gateway has no CORS: a browser
/// preflight gets the plain OPTIONS answer, with no Access-Control-* header. The added endpoints are left out of the OpenAPI
/// document: HEAD and OPTIONS are implied by HTTP, not operations of their own.
/// </summary>
public static class HeadAndOptionsEndpoints
{
    /// <summary>Call after every endpoint is mapped: the routes mapped so far get their HEAD, OPTIONS and 405.</summary>
    public static WebApplication MapHeadAndOptions(this WebApplication app)
    {
        var sources = ((IEndpointRouteBuilder)app).DataSources;
        sources.Add(new HeadAndOptionsDataSource([.. sources]));
        return app;
    }
}

/// <summary>Derives the HEAD and OPTIONS endpoints from the routes of the other data sources, whenever those change.</summary>
internal sealed class HeadAndOptionsDataSource(IReadOnlyList<EndpointDataSource> sources) : EndpointDataSource
{
    private readonly CompositeEndpointDataSource _routes = new(sources);
    private readonly Lock _lock = new();
    private IReadOnlyList<Endpoint>? _endpoints;
    private IReadOnlyList<Endpoint>? _derivedFrom;

    public override IReadOnlyList<Endpoint> Endpoints
    {
        get
        {
            lock (_lock)
            {
                var routes = _routes.Endpoints;
                if (!ReferenceEquals(routes, _derivedFrom))
                {
                    _endpoints = Derive(routes);
                    _derivedFrom = routes;
                }
                return _endpoints!;
            }
        }
    }

    public override IChangeToken GetChangeToken() => _routes.GetChangeToken();

    private static List<Endpoint> Derive(IReadOnlyList<Endpoint> endpoints)
    {
        var derived = new List<Endpoint>();
        // Routes with the same shape ("/v1/x/{id}" and "/v1/x/{name}") match the same requests: one OPTIONS for them.
        foreach (var route in endpoints.OfType<RouteEndpoint>().GroupBy(e => Shape(e.RoutePattern), StringComparer.OrdinalIgnoreCase))
        {
            var methods = new List<string>();
            var everyMethod = false;
            foreach (var endpoint in route)
            {
                if (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { HttpMethods.Count: > 0 } declared) everyMethod = true;
                else methods.AddRange(declared.HttpMethods.Where(m => !methods.Contains(m, StringComparer.OrdinalIgnoreCase)));
            }
            if (everyMethod) continue;
            var declaredOptions = methods.Contains(HttpMethods.Options, StringComparer.OrdinalIgnoreCase);
            var gets = route.Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Contains(HttpMethods.Get, StringComparer.OrdinalIgnoreCase)).ToList();
            if (!methods.Contains(HttpMethods.Head, StringComparer.OrdinalIgnoreCase) && gets.Count > 0)
            {
                derived.AddRange(gets.Select(get => Clone(get, [HttpMethods.Head], get.RequestDelegate!, get.Metadata.Where(Kept))));
                methods.Add(HttpMethods.Head);
            }
            if (!methods.Contains(HttpMethods.Options, StringComparer.OrdinalIgnoreCase)) methods.Add(HttpMethods.Options);
            var allow = string.Join(", ", methods);
            var model = route.First();
            var access = AccessEndpointExtensions.MethodListAccess(model.Metadata).ToList();
            if (!declaredOptions)
                derived.Add(Clone(model, [HttpMethods.Options], context =>
                {
                    context.Response.StatusCode = StatusCodes.Status204NoContent;
                    context.Response.Headers.Allow = allow;
                    return Task.CompletedTask;
                }, access));
            // Every other method; ordered after every real endpoint, so it answers only where no endpoint of the route took the
            // request. A method the route has gets here only when its endpoint refused the body's media type (Accepts): 415.
            var accepted = string.Join(", ", route.SelectMany(e => e.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes ?? []).Distinct());
            derived.Add(Clone(model, null, context =>
            {
                var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
                // Methods are case-sensitive (CaseSensitiveMethodPolicy): `put` is not a method the route has, so it is the 405.
                if (methods.Contains(context.Request.Method, StringComparer.Ordinal))
                {
                    // The store (host, cluster) the route names comes before the body's media type, as on the endpoint itself,
                    // but only for a caller the endpoint would let that far: this catch-all asks no grant, and a 404 here
                    // would tell a caller without one which names exist.
                    var grants = context.RequestServices.GetRequiredService<AccessEvaluator>();
                    if (route.Any(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Contains(context.Request.Method, StringComparer.Ordinal)
                        && grants.AllowsRoute(context, e.Metadata)))
                        NamedBridgeGuard.Check(context, model.Metadata);
                    return GatewayExceptionHandler.WriteAsync(problems, context, ErrorCode.UnsupportedMediaType,
                        $"The request body's media type is not accepted here; send {accepted}.").AsTask();
                }
                return GatewayExceptionHandler.WriteAsync(problems, context, ErrorCode.MethodNotAllowed,
                    $"{context.Request.Method} is not allowed here; this resource allows {allow}.",
                    extensions: new Dictionary<string, object?> { ["allow"] = allow }).AsTask();
            }, access, order: int.MaxValue));
        }
        return derived;
    }

    /// <summary>An endpoint on the model's route for the given methods (null: any method), left out of the OpenAPI document.</summary>
    private static RouteEndpoint Clone(RouteEndpoint model, string[]? methods, RequestDelegate handler, IEnumerable<object> metadata, int? order = null)
    {
        List<object> items = [.. metadata, new ExcludeFromDescriptionAttribute()];
        if (methods is not null) items.Add(new HttpMethodMetadata(methods));
        return new RouteEndpoint(handler, model.RoutePattern, order ?? model.Order, new EndpointMetadataCollection(items),
            $"{(methods is null ? "other methods" : methods[0])} {model.RoutePattern.RawText}");
    }

    /// <summary>All but the method (replaced) and the name (an endpoint name must be unique).</summary>
    private static bool Kept(object metadata) => metadata is not (IHttpMethodMetadata or IEndpointNameMetadata or IRouteNameMetadata);

    private static string Shape(RoutePattern pattern) => string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
    {
        RoutePatternLiteralPart literal => literal.Content,
        RoutePatternSeparatorPart separator => separator.Content,
        RoutePatternParameterPart parameter => "{" + (parameter.IsCatchAll ? "**" : "") + (parameter.IsOptional ? "?" : "")
            + string.Join(':', parameter.ParameterPolicies.Select(p => p.Content)) + "}",
        _ => "?",
    }))));
}
