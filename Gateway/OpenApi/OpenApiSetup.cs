using Gateway.Security;
namespace Gateway.OpenApi;

public static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";

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
            ResponseCatalog.Configure(options);
            ParameterRules.Configure(options);
            BodyRules.Configure(options);
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
            o.RoutePrefix = "swagger";
        });
    }
}
