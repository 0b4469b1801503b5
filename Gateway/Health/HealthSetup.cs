using Gateway.Contracts.ObjectStorage;
using Gateway.Channel.Families;
using Gateway.Security;
using Gateway.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Health;

public static class HealthSetup
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddGatewayHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<StoresHealthCheck>("stores", tags: [ReadyTag]);
        return services;
    }

    public static void MapGatewayHealth(this IEndpointRouteBuilder app)
    {
        // Live: the process serves requests. Ready: every configured store answers.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowGatewayAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) }).AllowGatewayAnonymous();
    }
}

internal sealed class StoresHealthCheck(BridgeRegistry<IObjectStore> registry) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var failing = new List<string>();
        foreach (var store in registry.All)
        {
            if (!store.Capabilities.ListBuckets) continue;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try { await store.ListBucketsAsync(timeout.Token); }
            catch (Exception) { failing.Add(store.Name); }
        }
        return failing.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"Stores not answering: {string.Join(", ", failing)}");
    }
}
