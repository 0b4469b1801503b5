using Gateway.Contracts.Bridges;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Gateway.Health;

/// <summary>Settings of section <c>Gateway:Health</c>.</summary>
public sealed class HealthOptions
{
    public const string Section = "Gateway:Health";

    /// <summary>
    /// Bridges the gateway is not ready without, as <c>kind/name</c> (<c>s3/archive</c>, <c>rest/billing</c>) or a bare
    /// name matching every kind. An open (or isolated) circuit on one of them, or an unhealthy state reported by a bridge
    /// without a breaker (a local store whose folder is gone), makes /health/ready Unhealthy (503).
    /// </summary>
    public List<string> CriticalBridges { get; set; } = [];

    /// <summary>
    /// How long /health/ready reuses the stores' last answer before asking them again (zero: on every request). The
    /// endpoint is anonymous, so this bounds the calls strangers can make the stores take.
    /// </summary>
    public TimeSpan StoreCheckInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Readiness from the bridges' circuit breakers and health, as GET /v1/bridges shows them: an open circuit (or an
/// unhealthy bridge without a breaker) on a critical bridge is Unhealthy; on any other bridge the gateway stays
/// Healthy and the check's description names it.
/// </summary>
internal sealed class BridgesHealthCheck(IServiceProvider services, IOptions<HealthOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        List<string> critical = [], other = [], criticalDown = [], otherDown = [];
        var instances = services.GetServices<IBridgeInstance>().Concat(services.GetServices<IBridgeInstanceSource>().SelectMany(s => s.GetInstances()));
        foreach (var instance in instances.DistinctBy(i => (i.Kind, i.Name)).OrderBy(i => i.Kind, StringComparer.Ordinal).ThenBy(i => i.Name, StringComparer.Ordinal))
        {
            var status = instance.GetStatus();
            var isCritical = IsCritical(instance);
            if (status.Circuit is CircuitStates.Open or CircuitStates.Isolated) (isCritical ? critical : other).Add($"{instance.Kind}/{instance.Name}");
            // A bridge without a breaker (the local store) reports its own health instead.
            else if (status.Health == BridgeHealth.Unhealthy) (isCritical ? criticalDown : otherDown).Add($"{instance.Kind}/{instance.Name}");
        }
        var notes = new List<string>();
        if (critical.Count > 0) notes.Add($"circuit open on critical bridges: {string.Join(", ", critical)}");
        if (criticalDown.Count > 0) notes.Add($"unhealthy critical bridges: {string.Join(", ", criticalDown)}");
        if (other.Count > 0) notes.Add($"circuit open on non-critical bridges (still ready): {string.Join(", ", other)}");
        if (otherDown.Count > 0) notes.Add($"unhealthy non-critical bridges (still ready): {string.Join(", ", otherDown)}");
        var description = notes.Count == 0 ? null : string.Join("; ", notes);
        return Task.FromResult(critical.Count + criticalDown.Count > 0 ? HealthCheckResult.Unhealthy(description) : HealthCheckResult.Healthy(description));
    }

    private bool IsCritical(IBridgeInstance instance) => options.Value.CriticalBridges.Any(c => Names(c, instance));

    /// <summary>Whether the critical-bridge entry <paramref name="critical"/> (<c>kind/name</c> or <c>name</c>) names <paramref name="instance"/>.</summary>
    internal static bool Names(string critical, IBridgeInstance instance) => critical.Contains('/')
        ? string.Equals(critical, $"{instance.Kind}/{instance.Name}", StringComparison.OrdinalIgnoreCase)
        : string.Equals(critical, instance.Name, StringComparison.OrdinalIgnoreCase);
}

internal sealed class HealthOptionsValidator(IServiceProvider services, IConfiguration configuration) : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        var bad = options.CriticalBridges.Select((c, i) => (c, i))
            .Where(x => string.IsNullOrWhiteSpace(x.c) || x.c.Count(ch => ch == '/') > 1 || x.c.StartsWith('/') || x.c.EndsWith('/'))
            .Select(x => $"{HealthOptions.Section}:CriticalBridges:{x.i} must be 'kind/name' or 'name' (got '{x.c}').").ToList();
        if (options.StoreCheckInterval < TimeSpan.Zero || options.StoreCheckInterval > TimeSpan.FromHours(1))
            bad.Add($"{HealthOptions.Section}:StoreCheckInterval must be between 00:00:00 and 01:00:00 (got {options.StoreCheckInterval}).");
        if (bad.Count == 0) bad.AddRange(Unknown(options));
        return bad.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(bad);
    }

    /// <summary>
    /// A critical bridge that names no configured bridge (a typo) would never make the gateway unready. A remote-mode
    /// gateway learns its bridges from the bridge host later, so only a gateway that builds its bridges checks this.
    /// </summary>
    private IEnumerable<string> Unknown(HealthOptions options)
    {
        if (options.CriticalBridges.Count == 0 || !ChannelHosting.ChannelRuntime.BuildsBridges(configuration)) return [];
        var instances = services.GetServices<IBridgeInstance>().Concat(services.GetServices<IBridgeInstanceSource>().SelectMany(s => s.GetInstances())).ToList();
        return options.CriticalBridges.Select((c, i) => (c, i))
            .Where(x => !instances.Any(b => BridgesHealthCheck.Names(x.c, b)))
            .Select(x => $"{HealthOptions.Section}:CriticalBridges:{x.i}: no configured bridge is named '{x.c}' (GET /v1/bridges lists them as kind/name).");
    }
}
