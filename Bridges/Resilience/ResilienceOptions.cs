using Microsoft.Extensions.Configuration;

namespace Gateway.Bridges.Resilience;

/// <summary>
/// Resilience settings of one bridge instance, bound from the <c>Resilience</c> sub-section of the instance's
/// configuration section (e.g. <c>Gateway:Stores:main:Resilience</c>). Every setting has a sensible default.
/// </summary>
public sealed class ResilienceOptions
{
    public const string SectionName = "Resilience";

    /// <summary>Upper bound for one call including every retry and back-off delay.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound for one attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt, for idempotent calls only. 0 disables retries.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First back-off delay; doubles per retry, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Cap for one back-off delay, including a delay asked for by Retry-After.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    public bool UseJitter { get; set; } = true;

    /// <summary>Whether the circuit breaker is on.</summary>
    public bool CircuitBreakerEnabled { get; set; } = true;

    /// <summary>Share of failed calls within <see cref="SamplingDuration"/> that opens the circuit (0 &lt; x ≤ 1).</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Calls needed within <see cref="SamplingDuration"/> before the ratio is judged (≥ 2).</summary>
    public int MinimumThroughput { get; set; } = 10;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open before one probe call is let through (half-open).</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Calls running at once against this instance. 0 disables the limiter.</summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>Calls waiting for a slot; more are rejected with Throttled (429).</summary>
    public int QueueLimit { get; set; } = 128;

    /// <summary>Binds <c>{instanceSection}:Resilience</c>; missing keys keep their defaults.</summary>
    public static ResilienceOptions FromInstanceSection(IConfigurationSection instanceSection)
    {
        var options = new ResilienceOptions();
        instanceSection.GetSection(SectionName).Bind(options);
        return options;
    }

    /// <summary>Returns the problems found, each naming the setting (relative to the instance section) to fix.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Check(bool ok, string setting, string rule)
        {
            if (!ok) errors.Add($"{SectionName}:{setting} {rule}");
        }

        Check(TotalTimeout > TimeSpan.Zero, nameof(TotalTimeout), "must be positive");
        Check(AttemptTimeout > TimeSpan.Zero, nameof(AttemptTimeout), "must be positive");
        Check(AttemptTimeout <= TotalTimeout, nameof(AttemptTimeout), "must not exceed TotalTimeout");
        Check(MaxRetryAttempts is >= 0 and <= 10, nameof(MaxRetryAttempts), "must be between 0 and 10");
        Check(BaseDelay >= TimeSpan.Zero && BaseDelay <= TimeSpan.FromMinutes(1), nameof(BaseDelay), "must be between 0 and 1 minute");
        Check(MaxDelay >= BaseDelay, nameof(MaxDelay), "must not be below BaseDelay");
        Check(FailureRatio is > 0 and <= 1, nameof(FailureRatio), "must be greater than 0 and at most 1");
        Check(MinimumThroughput >= 2, nameof(MinimumThroughput), "must be at least 2");
        Check(SamplingDuration >= TimeSpan.FromMilliseconds(500), nameof(SamplingDuration), "must be at least 500 ms");
        Check(BreakDuration >= TimeSpan.FromMilliseconds(500), nameof(BreakDuration), "must be at least 500 ms");
        Check(MaxConcurrency >= 0, nameof(MaxConcurrency), "must not be negative (0 disables the limiter)");
        Check(QueueLimit >= 0, nameof(QueueLimit), "must not be negative");
        return errors;
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> listing every problem, for start-up validation.</summary>
    public ResilienceOptions EnsureValid(string instanceName)
    {
        var errors = Validate();
        if (errors.Count > 0)
            throw new InvalidOperationException($"Invalid resilience settings for bridge instance '{instanceName}': {string.Join("; ", errors)}");
        return this;
    }
}
