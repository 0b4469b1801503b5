using Gateway.Security;
namespace Gateway.OpenApi;

public static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";
    private const string SwaggerUiPrefix = "swagger";

    public static IServiceCollection AddGatewayOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Legacy-integration gateway";
                document.Info.Version = "v1";
                document.Info.Description = "One REST facade over object stores, Docker, Kubernetes and in-house REST services; every bridge call is carried over CTP-96.";
                return Task.CompletedTask;
            });
            // Its server is relative ("/"), so the served document does not depend on the address it was fetched from.
            WholeNumberSchemas.Configure(options);
            ResponseCatalog.Configure(options);
            ParameterRules.Configure(options);
            BodyRules.Configure(options);
            ListingFacts.Configure(options);
        });
        return services;
    }

    public static void MapGatewayOpenApi(this WebApplication app)
    {
        // The one document by its own path: a pattern with {documentName} answered any other name with a text/plain 404.
        app.MapOpenApi(DocumentPath).RequireGatewayAccess(Operation.Read, "openapi");
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint(DocumentPath, "Gateway v1");
            o.RoutePrefix = SwaggerUiPrefix;
        });
        // Swagger UI is middleware, not a route, so HeadAndOptionsEndpoints gives it no OPTIONS and no 405: any other
        // method fell through to routing's 404. It answers as every route does (the 405 gets its problem body on the way out).
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/" + SwaggerUiPrefix) && !HttpMethods.IsGet(c.Request.Method) && !HttpMethods.IsHead(c.Request.Method),
            branch => branch.Run(c =>
            {
                c.Response.Headers.Allow = "GET, HEAD, OPTIONS";
                c.Response.StatusCode = HttpMethods.IsOptions(c.Request.Method) ? StatusCodes.Status204NoContent : StatusCodes.Status405MethodNotAllowed;
                return Task.CompletedTask;
            }));
    }
}
