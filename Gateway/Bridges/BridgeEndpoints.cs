using Gateway.Security;
using Gateway.Bridges.Resilience;
using Gateway.Contracts.Bridges;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Bridges;

public static class BridgeEndpoints
{
    /// <summary>
    /// Shared by every bridge kind: features register an <see cref="IBridgeInstanceSource"/> or
    /// <see cref="IBridgeInstance"/>, or track a pipeline in <see cref="BridgeHealthRegistry"/>.
    /// </summary>
    public static IServiceCollection AddBridgeListing(this IServiceCollection services)
    {
        services.AddSingleton<BridgeHealthRegistry>();
        services.AddSingleton<IBridgeInstanceSource>(sp => sp.GetRequiredService<BridgeHealthRegistry>());
        return services;
    }

    public static IEndpointRouteBuilder MapBridgeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/bridges", List)
            .WithTags("Bridges")
            .WithName("ListBridges")
            .RequireGatewayAccess(Operation.Read, "bridges")
            .WithSummary("Lists every bridge instance (stores, Docker hosts, clusters, REST upstreams) with its kind, health and circuit state.");
        return app;
    }

    static Ok<BridgeList> List(IServiceProvider services) => TypedResults.Ok(new BridgeList(Describe(services)));

    /// <summary>Every bridge instance with its observed status, ordered by kind and name (also read by the status page).</summary>
    public static IReadOnlyList<BridgeDescription> Describe(IServiceProvider services)
    {
        var instances = new List<IBridgeInstance>();
        instances.AddRange(services.GetServices<IBridgeInstance>());
        foreach (var source in services.GetServices<IBridgeInstanceSource>()) instances.AddRange(source.GetInstances());
        // An instance listed twice (a family registry and the pipeline tracking it) shows what has been observed.
        var calls = services.GetService<Status.BridgeCallStatistics>();
        var described = instances.Select(i => Describe(i, calls))
            .GroupBy(d => (d.Kind, d.Name))
            .Select(g => g.OrderBy(d => d.Health == "unknown" && d.Circuit == CircuitStates.None ? 1 : 0).First());
        return described.OrderBy(d => d.Kind, StringComparer.Ordinal).ThenBy(d => d.Name, StringComparer.Ordinal).ToList();
    }

    static BridgeDescription Describe(IBridgeInstance instance, Status.BridgeCallStatistics? calls)
    {
        BridgeStatus status;
        try { status = instance.GetStatus(); }
        catch (Exception) { status = new BridgeStatus(BridgeHealth.Unhealthy, CircuitStates.None, LastError: "status unavailable"); }
        // A bridge without a resilience pipeline (the local store) counts nothing itself: its calls are counted where
        // the channel measures them.
        if (status is { Circuit: CircuitStates.None, Successes: 0, Failures: 0 } && calls?.Totals(instance.Kind, instance.Name) is { } totals)
        {
            status = status with
            {
                Successes = totals.Successes,
                Failures = totals.Failures,
                LastSuccess = status.LastSuccess ?? totals.LastSuccess,
                LastFailure = status.LastFailure ?? totals.LastFailure,
            };
        }
        return Describe(instance.Name, instance.Kind, status);
    }

    static BridgeDescription Describe(string name, string kind, BridgeStatus s) => new(name, kind,
        s.Health switch
        {
            BridgeHealth.Healthy => "healthy",
            BridgeHealth.Degraded => "degraded",
            BridgeHealth.Unhealthy => "unhealthy",
            _ => "unknown",
        },
        s.Circuit, s.LastSuccess, s.LastFailure, s.LastError, s.Successes, s.Failures, s.Details);
}

/// <param name="Health">healthy, degraded, unhealthy or unknown (no call yet).</param>
/// <param name="Circuit">closed, open, half-open, isolated or none.</param>
public sealed record BridgeDescription(string Name, string Kind, string Health, string Circuit,
    DateTimeOffset? LastSuccess, DateTimeOffset? LastFailure, string? LastError, long Successes, long Failures,
    IReadOnlyDictionary<string, string>? Details);

public sealed record BridgeList(IReadOnlyList<BridgeDescription> Bridges);
