using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using Gateway.Contracts.Bridges;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Gateway.Bridges.Resilience;

/// <summary>
/// Builds the one Polly pipeline every bridge instance runs its platform calls in, outermost first:
/// error translation → total timeout → concurrency limiter → retry (idempotent calls only) → circuit breaker
/// → attempt timeout. Failures leave it as <see cref="Gateway.Contracts.Errors.GatewayException"/>s:
/// open circuit → Unavailable, limiter full → Throttled, timeout → Timeout.
/// Callbacks may return an <see cref="HttpResponseMessage"/>: 5xx/429/408 answers then count as transient
/// failures too, and the last answer is returned when retries run out.
/// </summary>
public static class BridgePipeline
{
    /// <summary>Set to true on the <see cref="ResilienceContext"/> for calls that are safe to repeat. Unset means not idempotent: no retry.</summary>
    public static readonly ResiliencePropertyKey<bool> Idempotent = new("Gateway.Bridge.Idempotent");

    /// <summary>
    /// Set to true when the callback keeps the total and attempt timeouts itself (a REST call with a body, whose clocks
    /// stop while the caller's body is awaited): the pipeline's own timeouts then stand aside.
    /// </summary>
    public static readonly ResiliencePropertyKey<bool> SelfTimed = new("Gateway.Bridge.SelfTimed");

    static readonly ConditionalWeakTable<ResiliencePipeline, BridgeResilience> ByPipeline = new();

    public static ResiliencePipeline Build(string instanceName, ResilienceOptions options, ILoggerFactory? loggers = null)
        => Create(instanceName, options, loggers).Pipeline;

    /// <summary>Like <see cref="Build"/>, also returning the circuit/health view of the instance.</summary>
    /// <param name="kind">The instance's kind for its metrics; when null, taken from a "kind:name" <paramref name="instanceName"/>.</param>
    public static BridgeResilience Create(string instanceName, ResilienceOptions options, ILoggerFactory? loggers = null, TimeProvider? time = null,
        string? kind = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceName);
        var (metricKind, metricName) = BridgeMetrics.Split(instanceName, kind);
        options.EnsureValid(instanceName);
        var logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger("Gateway.Bridges.Resilience");
        var health = new BridgeHealthTracker(time ?? TimeProvider.System);
        var circuit = new CircuitBreakerStateProvider();

        var builder = new ResiliencePipelineBuilder { Name = instanceName };
        if (time is not null) builder.TimeProvider = time;

        builder.AddStrategy(_ => new GatewayErrorStrategy(instanceName, health, options.TotalTimeout,
            () => BridgeMetrics.Rejected(metricKind, metricName, "circuit-open")), new GatewayErrorStrategyOptions());
        builder.AddTimeout(new TimeoutStrategyOptions { TimeoutGenerator = args => Unless(args, options.TotalTimeout) });

        ConcurrencyLimiter? limiter = null;
        if (options.MaxConcurrency > 0)
        {
            limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = options.MaxConcurrency,
                QueueLimit = options.QueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
            builder.AddRateLimiter(new Polly.RateLimiting.RateLimiterStrategyOptions
            {
                RateLimiter = args => limiter.AcquireAsync(1, args.Context.CancellationToken),
                OnRejected = _ =>
                {
                    BridgeMetrics.Rejected(metricKind, metricName, "concurrency-limit");
                    BridgeLog.ConcurrencyRejected(logger, instanceName, options.MaxConcurrency, options.QueueLimit);
                    return default;
                },
            });
        }

        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = options.UseJitter,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = args => new ValueTask<bool>(
                    args.Context.Properties.GetValue(Idempotent, false)
                    && TransientFailures.IsTransient(args.Outcome)
                    // A platform asking for a longer pause than we may wait gets its answer passed on instead.
                    && !(TransientFailures.RetryAfter(args.Outcome) > options.MaxDelay)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(TransientFailures.RetryAfter(args.Outcome)),
                OnRetry = args =>
                {
                    BridgeMetrics.Retry(metricKind, metricName);
                    BridgeLog.Retrying(logger, instanceName, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds, TransientFailures.Describe(args.Outcome));
                    return default;
                },
            });
        }

        if (options.CircuitBreakerEnabled)
        {
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                StateProvider = circuit,
                ShouldHandle = args => new ValueTask<bool>(TransientFailures.IsFailure(args.Outcome)),
                OnOpened = args =>
                {
                    BridgeLog.CircuitOpened(logger, instanceName, args.BreakDuration.TotalMilliseconds, TransientFailures.Describe(args.Outcome));
                    return default;
                },
                OnHalfOpened = _ =>
                {
                    BridgeLog.CircuitHalfOpened(logger, instanceName);
                    return default;
                },
                OnClosed = _ =>
                {
                    BridgeLog.CircuitClosed(logger, instanceName);
                    return default;
                },
            });
        }

        builder.AddTimeout(new TimeoutStrategyOptions
        {
            TimeoutGenerator = args => Unless(args, options.AttemptTimeout),
            OnTimeout = _ =>
            {
                BridgeMetrics.AttemptTimedOut(metricKind, metricName);
                return default;
            },
        });

        var pipeline = builder.Build();
        var resilience = new BridgeResilience(instanceName, options, pipeline, health, options.CircuitBreakerEnabled ? circuit : null)
        {
            Kind = metricKind,
            Name = metricName,
            Limiter = limiter,
        };
        ByPipeline.AddOrUpdate(pipeline, resilience);
        BridgeMetrics.Track(resilience);
        return resilience;
    }

    static ValueTask<TimeSpan> Unless(TimeoutGeneratorArguments args, TimeSpan timeout) =>
        new(args.Context.Properties.GetValue(SelfTimed, false) ? Timeout.InfiniteTimeSpan : timeout);

    /// <summary>A timeout as the 504's detail shows it: "10 s", "250 ms".</summary>
    public static string Format(TimeSpan t) => t.TotalSeconds >= 1 ? $"{t.TotalSeconds:0.###} s" : $"{t.TotalMilliseconds:0} ms";

    /// <summary>The health/circuit view of a pipeline made by <see cref="Build"/>; null for pipelines built elsewhere.</summary>
    public static BridgeResilience? Find(ResiliencePipeline pipeline) => ByPipeline.TryGetValue(pipeline, out var r) ? r : null;

    /// <summary>Status of a pipeline made by <see cref="Build"/>, for <see cref="IBridgeInstance.GetStatus"/>.</summary>
    public static BridgeStatus GetStatus(ResiliencePipeline pipeline) => Find(pipeline)?.GetStatus() ?? BridgeStatus.Unknown;

    /// <summary>HTTP's idempotent methods, or any request carrying an Idempotency-Key.</summary>
    public static bool IsIdempotent(string method, bool hasIdempotencyKey = false) =>
        hasIdempotencyKey || HttpMethods.IsIdempotent(method);

    /// <summary>Runs <paramref name="call"/> in the pipeline, marking it idempotent (retried) or not.</summary>
    public static async ValueTask<TResult> ExecuteCallAsync<TResult>(this ResiliencePipeline pipeline,
        Func<CancellationToken, ValueTask<TResult>> call, bool idempotent, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(Idempotent, idempotent);
            return await pipeline.ExecuteAsync(static (ctx, c) => c(ctx.CancellationToken), context, call).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <inheritdoc cref="ExecuteCallAsync{TResult}"/>
    public static async ValueTask ExecuteCallAsync(this ResiliencePipeline pipeline,
        Func<CancellationToken, ValueTask> call, bool idempotent, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(Idempotent, idempotent);
            await pipeline.ExecuteAsync(static (ctx, c) => c(ctx.CancellationToken), context, call).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    static class HttpMethods
    {
        public static bool IsIdempotent(string method) =>
            method.Equals("GET", StringComparison.OrdinalIgnoreCase) || method.Equals("HEAD", StringComparison.OrdinalIgnoreCase)
            || method.Equals("PUT", StringComparison.OrdinalIgnoreCase) || method.Equals("DELETE", StringComparison.OrdinalIgnoreCase)
            || method.Equals("OPTIONS", StringComparison.OrdinalIgnoreCase) || method.Equals("TRACE", StringComparison.OrdinalIgnoreCase);
    }
}
