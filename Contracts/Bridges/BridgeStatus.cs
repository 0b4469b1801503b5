namespace Gateway.Contracts.Bridges;

public enum BridgeHealth
{
    /// <summary>No call has gone through yet.</summary>
    Unknown,
    Healthy,
    /// <summary>Recent failures, or the circuit is half-open and probing.</summary>
    Degraded,
    /// <summary>The circuit is open (calls fail fast) or the instance could not be built.</summary>
    Unhealthy,
}

/// <summary>Circuit breaker states, as shown on the wire ("closed", "open", "half-open", "isolated", "none").</summary>
public static class CircuitStates
{
    public const string Closed = "closed";
    public const string Open = "open";
    public const string HalfOpen = "half-open";
    public const string Isolated = "isolated";
    /// <summary>The instance has no circuit breaker.</summary>
    public const string None = "none";
}

/// <param name="Circuit">One of <see cref="CircuitStates"/>.</param>
/// <param name="LastError">A caller-safe description of the last failure (never secrets).</param>
/// <param name="Details">Extra kind-specific facts, e.g. destinations of an upstream (never secrets).</param>
public sealed record BridgeStatus(
    BridgeHealth Health,
    string Circuit,
    DateTimeOffset? LastSuccess = null,
    DateTimeOffset? LastFailure = null,
    string? LastError = null,
    long Successes = 0,
    long Failures = 0,
    IReadOnlyDictionary<string, string>? Details = null)
{
    public static BridgeStatus Unknown { get; } = new(BridgeHealth.Unknown, CircuitStates.None);
}
