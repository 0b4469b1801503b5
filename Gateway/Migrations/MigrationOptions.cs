using Microsoft.Extensions.Options;

namespace Gateway.Migrations;

/// <summary>
/// How migration jobs ride out transient failures (section <c>Gateway:Migrations</c>; docs/configuration.md). An object
/// whose move fails transiently (a store that does not answer, a timeout, a 5xx or 429 from the platform) is tried again
/// after a jittered, doubling back-off; a job whose objects keep failing that way stops as <c>interrupted</c>.
/// </summary>
public sealed class MigrationOptions
{
    public const string Section = "Gateway:Migrations";

    /// <summary>Tries after the first for one object whose move failed transiently (0-10).</summary>
    public int ObjectRetries { get; set; } = 3;

    /// <summary>Back-off before the first retry; it doubles per retry, up to <see cref="RetryMaxDelay"/>, jittered down to half.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Objects failed transiently (after their retries), none moved or skipped in between, before the job stops as interrupted.</summary>
    public int InterruptAfterFailures { get; set; } = 10;

    public const int DefaultLargeObjectPartsInFlight = 4;

    /// <summary>
    /// Parts of large objects one job sends at once, over all its objects (1-64). A target bridge holds a part whole (8 MiB
    /// or more) while it stages it, so this bounds a job's part buffers however many large objects move at once.
    /// </summary>
    public int LargeObjectPartsInFlight { get; set; } = DefaultLargeObjectPartsInFlight;
}

internal sealed class MigrationOptionsValidator : IValidateOptions<MigrationOptions>
{
    public ValidateOptionsResult Validate(string? name, MigrationOptions o)
    {
        var errors = new List<string>();
        if (o.ObjectRetries is < 0 or > 10) errors.Add($"{MigrationOptions.Section}:ObjectRetries must be between 0 and 10.");
        if (o.RetryBaseDelay < TimeSpan.FromMilliseconds(1) || o.RetryBaseDelay > TimeSpan.FromMinutes(1))
            errors.Add($"{MigrationOptions.Section}:RetryBaseDelay must be between 1 ms and 1 minute.");
        if (o.RetryMaxDelay < o.RetryBaseDelay || o.RetryMaxDelay > TimeSpan.FromMinutes(10))
            errors.Add($"{MigrationOptions.Section}:RetryMaxDelay must be at least RetryBaseDelay and at most 10 minutes.");
        if (o.InterruptAfterFailures is < 1 or > 100_000) errors.Add($"{MigrationOptions.Section}:InterruptAfterFailures must be between 1 and 100000.");
        if (o.LargeObjectPartsInFlight is < 1 or > 64) errors.Add($"{MigrationOptions.Section}:LargeObjectPartsInFlight must be between 1 and 64.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
