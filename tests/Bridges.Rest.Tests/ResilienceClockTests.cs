using Gateway.Bridges.Resilience;
using Gateway.Contracts.Bridges;
using Gateway.Contracts.Errors;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Bridges.Rest.Tests;

/// <summary>
/// The bridge pipeline's clocks (circuit break, attempt timeout) driven by a <see cref="FakeTimeProvider"/>: each
/// state change happens when the test moves time, never because a loaded machine happened to be fast enough.
/// </summary>
public sealed class ResilienceClockTests
{
    private static ValueTask<int> Down(CancellationToken _) => throw new GatewayException(ErrorCode.Unavailable, "down");

    [Fact]
    public async Task An_open_circuit_turns_calls_away_until_the_break_has_passed_then_one_probe_closes_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var bridge = BridgePipeline.Create("clock", new ResilienceOptions
        {
            MaxRetryAttempts = 0, MinimumThroughput = 2, FailureRatio = 0.5,
            SamplingDuration = TimeSpan.FromSeconds(30), BreakDuration = TimeSpan.FromSeconds(15),
        }, time: time);
        for (var i = 0; i < 2; i++)
            await Assert.ThrowsAsync<GatewayException>(async () => await bridge.Pipeline.ExecuteCallAsync(Down, idempotent: true, CancellationToken.None));
        Assert.Equal(CircuitStates.Open, bridge.CircuitState);

        var reached = 0;
        ValueTask<int> Healthy(CancellationToken _) { reached++; return ValueTask.FromResult(7); }
        var turnedAway = await Assert.ThrowsAsync<GatewayException>(async () => await bridge.Pipeline.ExecuteCallAsync(Healthy, idempotent: true, CancellationToken.None));
        Assert.Equal(ErrorCode.Unavailable, turnedAway.Code);
        time.Advance(TimeSpan.FromSeconds(14));
        await Assert.ThrowsAsync<GatewayException>(async () => await bridge.Pipeline.ExecuteCallAsync(Healthy, idempotent: true, CancellationToken.None));
        Assert.Equal(0, reached);
        Assert.Equal(CircuitStates.Open, bridge.CircuitState);

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(7, await bridge.Pipeline.ExecuteCallAsync(Healthy, idempotent: true, CancellationToken.None));
        Assert.Equal(1, reached);
        Assert.Equal(CircuitStates.Closed, bridge.CircuitState);
    }

    [Fact]
    public async Task An_attempt_times_out_exactly_when_its_timeout_has_passed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var bridge = BridgePipeline.Create("clock-timeout", new ResilienceOptions
        {
            MaxRetryAttempts = 0, AttemptTimeout = TimeSpan.FromSeconds(5), TotalTimeout = TimeSpan.FromSeconds(60), MinimumThroughput = 100,
        }, time: time);
        var started = new TaskCompletionSource();
        var call = bridge.Pipeline.ExecuteCallAsync(async ct =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return 1;
        }, idempotent: true, CancellationToken.None).AsTask();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(call.IsCompleted, "The attempt ended before its timeout.");
        time.Advance(TimeSpan.FromSeconds(0.2));
        var timedOut = await Assert.ThrowsAsync<GatewayException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(ErrorCode.Timeout, timedOut.Code);
    }
}
