namespace Gateway.Security;

/// <summary>
/// The numeric security settings, checked at start: a header or body limit of 0 would refuse every request (health checks
/// included) and a negative clock skew would reach the verifiers as is.
/// </summary>
internal static class SecurityLimitsCheck
{
    private const string Section = SecurityOptions.Section;
    private const int Day = 24 * 60 * 60;

    public static IEnumerable<string> Errors(SecurityOptions security)
    {
        var limits = security.Limits;
        if (limits.MaxHeaderBytes is < 1024 or > 1024 * 1024)
            yield return $"{Section}:Limits:MaxHeaderBytes must be between 1024 and 1048576.";
        if (limits.MaxHeaderCount is < 10 or > 10_000)
            yield return $"{Section}:Limits:MaxHeaderCount must be between 10 and 10000.";
        if (limits.MaxRequestBodyBytes < 1)
            yield return $"{Section}:Limits:MaxRequestBodyBytes must be 1 or more.";
        if (limits.RequestTimeoutSeconds is < 1 or > Day)
            yield return $"{Section}:Limits:RequestTimeoutSeconds must be between 1 and {Day}.";
        var rate = security.RateLimits;
        if (rate.PermitLimit < 0)
            yield return $"{Section}:RateLimits:PermitLimit must be 0 (no limit) or more.";
        if (rate.WindowSeconds is < 1 or > Day)
            yield return $"{Section}:RateLimits:WindowSeconds must be between 1 and {Day}.";
        foreach (var (caller, permits) in rate.Callers)
            if (permits < 0) yield return $"{Section}:RateLimits:Callers:{caller} must be 0 (no limit) or more.";
        if (security.Jwt.ClockSkewSeconds is < 0 or > 600)
            yield return $"{Section}:Jwt:ClockSkewSeconds must be between 0 and 600.";
        if (security.Signatures.ClockSkewSeconds is < 0 or > 600)
            yield return $"{Section}:Signatures:ClockSkewSeconds must be between 0 and 600.";
    }
}
