using Gateway.Contracts.Errors;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Gateway.Bridges.Resilience;

sealed class GatewayErrorStrategyOptions : ResilienceStrategyOptions
{
    public GatewayErrorStrategyOptions() => Name = "gateway-errors";
}

/// <summary>
/// Outermost strategy: turns Polly's own rejections into gateway errors callers understand, and records
/// every call's final outcome for the instance's health.
/// </summary>
sealed class GatewayErrorStrategy(string instanceName, BridgeHealthTracker health, TimeSpan totalTimeout, Action circuitRejected) : ResilienceStrategy
{
    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
    {
        var outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        var asObject = outcome.Exception is { } e ? Outcome.FromException<object>(e) : Outcome.FromResult<object>(outcome.Result);

        if (outcome.Exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
            return outcome; // the caller went away: neither a success nor the platform's fault

        if (outcome.Exception is BrokenCircuitException) circuitRejected();
        if (TransientFailures.IsFailure(asObject)) health.RecordFailure(TransientFailures.Describe(asObject));
        else if (outcome.Exception is null or GatewayException) health.RecordSuccess();

        return outcome.Exception switch
        {
            BrokenCircuitException broken => Outcome.FromException<TResult>(new GatewayException(ErrorCode.Unavailable,
                $"Bridge '{instanceName}' is unavailable: its circuit is open after repeated failures; retry later.", broken)
            {
                RetryAfterSeconds = broken.RetryAfter is { } after ? (int)Math.Ceiling(after.TotalSeconds) : null,
            }),
            RateLimiterRejectedException limited => Outcome.FromException<TResult>(new GatewayException(ErrorCode.Throttled,
                $"Bridge '{instanceName}' is at its concurrency limit; retry later.", limited)
            {
                RetryAfterSeconds = limited.RetryAfter is { } after ? (int)Math.Ceiling(after.TotalSeconds) : 1,
            }),
            TimeoutRejectedException timeout => Outcome.FromException<TResult>(new GatewayException(ErrorCode.Timeout,
                $"Bridge '{instanceName}' did not answer within {BridgePipeline.Format(timeout.Timeout == TimeSpan.Zero ? totalTimeout : timeout.Timeout)}.", timeout)),
            { } failed when TransientFailures.IsConnectionFailure(failed) => Outcome.FromException<TResult>(new GatewayException(ErrorCode.Unavailable,
                $"Bridge '{instanceName}' could not be reached ({TransientFailures.Describe(asObject)}).", outcome.Exception)),
            _ => outcome,
        };
    }
}
