using Gateway.Contracts.Bridges;
using Polly;
using Polly.CircuitBreaker;

namespace Gateway.Bridges.Resilience;

/// <summary>One instance's pipeline together with what it has observed (circuit state, recent outcomes).</summary>
public sealed class BridgeResilience
{
    readonly BridgeHealthTracker _health;
    readonly CircuitBreakerStateProvider? _circuit;

    internal BridgeResilience(string instanceName, ResilienceOptions options, ResiliencePipeline pipeline,
        BridgeHealthTracker health, CircuitBreakerStateProvider? circuit)
    {
        InstanceName = instanceName;
        Options = options;
        Pipeline = pipeline;
        _health = health;
        _circuit = circuit;
    }

    public string InstanceName { get; }
    /// <summary>The instance's kind and name as its metrics and readiness name it ("s3", "archive").</summary>
    public string Kind { get; init; } = "unknown";
    public string Name { get; init; } = "";
    internal System.Threading.RateLimiting.ConcurrencyLimiter? Limiter { get; init; }
    public ResilienceOptions Options { get; }
    public ResiliencePipeline Pipeline { get; }
    public BridgeHealthTracker Health => _health;

    /// <summary>One of <see cref="CircuitStates"/>.</summary>
    public string CircuitState => _circuit?.CircuitState switch
    {
        null => CircuitStates.None,
        Polly.CircuitBreaker.CircuitState.Closed => CircuitStates.Closed,
        Polly.CircuitBreaker.CircuitState.Open => CircuitStates.Open,
        Polly.CircuitBreaker.CircuitState.HalfOpen => CircuitStates.HalfOpen,
        Polly.CircuitBreaker.CircuitState.Isolated => CircuitStates.Isolated,
        _ => CircuitStates.None,
    };

    public BridgeStatus GetStatus(IReadOnlyDictionary<string, string>? details = null)
    {
        var circuit = CircuitState;
        var health = circuit switch
        {
            CircuitStates.Open or CircuitStates.Isolated => BridgeHealth.Unhealthy,
            CircuitStates.HalfOpen => BridgeHealth.Degraded,
            _ when _health.Successes == 0 && _health.Failures == 0 => BridgeHealth.Unknown,
            _ when _health.ConsecutiveFailures > 0 => BridgeHealth.Degraded,
            _ => BridgeHealth.Healthy,
        };
        return new BridgeStatus(health, circuit, _health.LastSuccess, _health.LastFailure, _health.LastError,
            _health.Successes, _health.Failures, details);
    }
}
