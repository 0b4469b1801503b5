using Gateway.Bridges.Resilience;
using Gateway.Contracts.Errors;
using Microsoft.Extensions.Configuration;
using Polly;

namespace Gateway.Bridges.Rest.Tests;

/// <summary>The shared pipeline builder on its own, as the storage, Docker and Kubernetes bridges use it.</summary>
public sealed class ResilienceOptionsTests
{
    [Fact]
    public void Binds_from_the_instance_sections_Resilience_child_and_keeps_defaults()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Stores:main:Kind"] = "s3",
            ["Gateway:Stores:main:Resilience:MaxRetryAttempts"] = "5",
            ["Gateway:Stores:main:Resilience:AttemptTimeout"] = "00:00:03",
        }).Build();
        var options = ResilienceOptions.FromInstanceSection(config.GetSection("Gateway:Stores:main"));
        Assert.Equal(5, options.MaxRetryAttempts);
        Assert.Equal(TimeSpan.FromSeconds(3), options.AttemptTimeout);
        Assert.Equal(new ResilienceOptions().TotalTimeout, options.TotalTimeout);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Validation_names_every_bad_setting()
    {
        var options = new ResilienceOptions
        {
            AttemptTimeout = TimeSpan.FromMinutes(2), TotalTimeout = TimeSpan.FromMinutes(1),
            FailureRatio = 0, MinimumThroughput = 1, MaxConcurrency = -1,
        };
        var errors = options.Validate();
        Assert.Contains(errors, e => e.StartsWith("Resilience:AttemptTimeout"));
        Assert.Contains(errors, e => e.StartsWith("Resilience:FailureRatio"));
        Assert.Contains(errors, e => e.StartsWith("Resilience:MinimumThroughput"));
        Assert.Contains(errors, e => e.StartsWith("Resilience:MaxConcurrency"));
        var thrown = Assert.Throws<InvalidOperationException>(() => BridgePipeline.Build("bad", options));
        Assert.Contains("'bad'", thrown.Message);
    }

    [Fact]
    public async Task Only_calls_marked_idempotent_are_retried_and_gateway_errors_honour_RetryAfterSeconds()
    {
        var pipeline = BridgePipeline.Build("unit", new ResilienceOptions { MaxRetryAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(1), MinimumThroughput = 100 });
        var attempts = 0;
        ValueTask<int> Throttled(CancellationToken _)
        {
            attempts++;
            throw new GatewayException(ErrorCode.Throttled, "slow down") { RetryAfterSeconds = 0 };
        }

        await Assert.ThrowsAsync<GatewayException>(async () => await pipeline.ExecuteCallAsync(Throttled, idempotent: false, CancellationToken.None));
        Assert.Equal(1, attempts);
        attempts = 0;
        await Assert.ThrowsAsync<GatewayException>(async () => await pipeline.ExecuteCallAsync(Throttled, idempotent: true, CancellationToken.None));
        Assert.Equal(3, attempts);
        attempts = 0;
        await Assert.ThrowsAsync<GatewayException>(async () => await pipeline.ExecuteAsync<int>(Throttled));
        Assert.Equal(1, attempts); // unmarked means not idempotent

        var notFound = 0;
        var e = await Assert.ThrowsAsync<GatewayException>(async () => await pipeline.ExecuteCallAsync<int>(_ =>
        {
            notFound++;
            throw new GatewayException(ErrorCode.NotFound, "gone");
        }, idempotent: true, CancellationToken.None));
        Assert.Equal(ErrorCode.NotFound, e.Code);
        Assert.Equal(1, notFound);
    }

    [Fact]
    public async Task A_full_limiter_is_Throttled_and_an_attempt_timeout_is_Timeout()
    {
        // A fake clock: the held call cannot time out (and free the limiter) before the second call is tried.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var pipeline = BridgePipeline.Create("tight", new ResilienceOptions
        {
            MaxConcurrency = 1, QueueLimit = 0, MaxRetryAttempts = 0, AttemptTimeout = TimeSpan.FromMilliseconds(200), MinimumThroughput = 100,
        }, time: time).Pipeline;
        var release = new TaskCompletionSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = pipeline.ExecuteCallAsync(async ct => { started.TrySetResult(); await release.Task.WaitAsync(ct); return 1; }, idempotent: true, CancellationToken.None).AsTask();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var rejected = await Assert.ThrowsAsync<GatewayException>(async () =>
            await pipeline.ExecuteCallAsync(_ => ValueTask.FromResult(2), idempotent: true, CancellationToken.None));
        Assert.Equal(ErrorCode.Throttled, rejected.Code);
        Assert.False(holding.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(201));
        var timedOut = await Assert.ThrowsAsync<GatewayException>(() => holding.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(ErrorCode.Timeout, timedOut.Code);
        Assert.Equal("closed", BridgePipeline.Find(pipeline)!.CircuitState);
    }
}
