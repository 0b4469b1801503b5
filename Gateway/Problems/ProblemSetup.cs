using Gateway.Contracts.Errors;
using Microsoft.AspNetCore.Http.Json;

namespace Gateway.Problems;

public static class ProblemSetup
{
    public static IServiceCollection AddGatewayProblems(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<GatewayExceptionHandler>();
        // Binding failures throw so the handler can answer them as problem+json instead of a bare 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    public static WebApplication UseGatewayProblems(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(async status =>
        {
            var context = status.HttpContext;
            var code = context.Response.StatusCode switch
            {
                404 => ErrorCode.NotFound,
                405 => ErrorCode.MethodNotAllowed,
                413 => ErrorCode.PayloadTooLarge,
                415 => ErrorCode.UnsupportedMediaType,
                _ => (ErrorCode?)null,
            };
            if (code is null) return;
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await GatewayExceptionHandler.WriteAsync(problems, context, code.Value, code switch
            {
                ErrorCode.NotFound => "No such resource.",
                ErrorCode.MethodNotAllowed => "This method is not allowed on this resource.",
                ErrorCode.PayloadTooLarge => "The request body is larger than allowed.",
                _ => "The request body's media type is not accepted here.",
            });
        });
        app.UseRawPathGuard();
        return app;
    }
}
