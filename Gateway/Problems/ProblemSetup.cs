using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
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
        // A member given twice is ambiguous ({"dryRun":true,"dryRun":false} would be a real migration): refused, not last-wins.
        // Members match case-insensitively, so "dryRun" and "DRYRUN" are the same member given twice as well.
        // A number sent as a string ("concurrency":"8") is a wrongly typed member, refused like any other; the web defaults
        // read it as a number (and the OpenAPI document then advertised string as a type of every number).
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.AllowDuplicateProperties = false;
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            o.SerializerOptions.Converters.Add(new WholeNumberConverter<int>()); // WholeNumberConverter<T>.Types lists both
            o.SerializerOptions.Converters.Add(new WholeNumberConverter<long>());
            // A copy's contentHeaders is a Contracts record (also read from stores and the channel, where a newer peer may add
            // members): only in a request body is a member it does not know refused, as on the rest of the copy body.
            o.SerializerOptions.TypeInfoResolver = (o.SerializerOptions.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver())
                .WithAddedModifier(static type =>
                {
                    if (type.Type == typeof(ContentHeaders)) type.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
                });
        });
        return services;
    }

    public static WebApplication UseGatewayProblems(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStreamFaultGuard();
        // Any error status that reaches the client without a body (routing's 404/405, a framework 400, ...) gets one.
        app.UseStatusCodePages(async status =>
        {
            var context = status.HttpContext;
            if (BareStatus(context.Response.StatusCode) is not { } bare) return;
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await GatewayExceptionHandler.WriteAsync(problems, context, bare.Code, bare.Detail);
        });
        app.UseRawPathGuard();
        app.UseTransferCodingGuard();
        return app;
    }

    private static (ErrorCode Code, string Detail)? BareStatus(int status) => status switch
    {
        400 => (ErrorCode.BadRequest, "The request is malformed."),
        401 => (ErrorCode.Unauthorized, "Credentials are required."),
        403 => (ErrorCode.Forbidden, "The caller may not do this."),
        404 => (ErrorCode.NotFound, "No such resource."),
        405 => (ErrorCode.MethodNotAllowed, "This method is not allowed on this resource."),
        409 => (ErrorCode.Conflict, "The request conflicts with the resource's state."),
        412 => (ErrorCode.PreconditionFailed, "A precondition failed."),
        413 => (ErrorCode.PayloadTooLarge, "The request body is larger than allowed."),
        414 => (ErrorCode.UriTooLong, "The request target is longer than allowed."),
        415 => (ErrorCode.UnsupportedMediaType, "The request body's media type is not accepted here."),
        416 => (ErrorCode.RangeNotSatisfiable, "The range is outside the resource."),
        429 => (ErrorCode.Throttled, "Too many requests."),
        431 => (ErrorCode.HeadersTooLarge, "The request headers are larger than allowed."),
        501 => (ErrorCode.NotSupported, "Not supported."),
        503 => (ErrorCode.Unavailable, "The service is unavailable."),
        504 => (ErrorCode.Timeout, "The request did not finish in time."),
        _ => null,
    };
}
