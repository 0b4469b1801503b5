using Gateway.Contracts.ObjectStorage;
using Gateway.Channel.Families;
using Gateway.Security;
using Gateway.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Health;

public static class HealthSetup
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddGatewayHealth(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<HealthOptions>().Bind(config.GetSection(HealthOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        // One instance, so its last answer is shared by every request (AddCheck<T> would build one per run).
        services.AddSingleton<StoresHealthCheck>();
        services.AddHealthChecks()
            .AddCheck<StoresHealthCheck>("stores", tags: [ReadyTag])
            .AddCheck<BridgesHealthCheck>("bridges", tags: [ReadyTag]);
        return services;
    }

    public static void MapGatewayHealth(this IEndpointRouteBuilder app)
    {
        // Live: the process serves requests. Ready: every configured store answers and no critical bridge's circuit is open.
        // MapHealthChecks answers every method; only GET and HEAD read a health state (others: 405).
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowGatewayAnonymous()
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync })
            .AllowGatewayAnonymous().WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
    }

    /// <summary>The overall status on the first line (as ASP.NET writes it); then "check: status - why" for each check that says why.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var text = new System.Text.StringBuilder(report.Status.ToString());
        foreach (var (name, entry) in report.Entries.Where(e => !string.IsNullOrEmpty(e.Value.Description)))
            text.Append('\n').Append(name).Append(": ").Append(entry.Status).Append(" - ").Append(entry.Description);
        return context.Response.WriteAsync(text.ToString());
    }
}
