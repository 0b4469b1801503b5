using System.Globalization;

namespace Gateway.S3Api.Operations;

/// <summary>How a bounded integer parameter (a query parameter or a header) read: within its bounds, or which way it failed.</summary>
public enum BoundedIntegerRead
{
    Within,
    NotAnInteger,
    BelowMinimum,
    AboveMaximum,
}

/// <summary>
/// The front door's integer parameters (max-parts, max-uploads, part-number-marker, x-amz-max-parts, max-buckets,
/// partNumber): digits only, no sign or spaces (S3 takes no other form). Each caller answers the failure with its own
/// S3 refusal, because S3's differ (some clamp to the maximum, some refuse it).
/// </summary>
public static class BoundedInteger
{
    /// <summary>Reads <paramref name="text"/>; <paramref name="value"/> is the number whenever it is one (also out of bounds).</summary>
    public static BoundedIntegerRead Read(string? text, int min, int max, out int value)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value)) return BoundedIntegerRead.NotAnInteger;
        if (value < min) return BoundedIntegerRead.BelowMinimum;
        return value > max ? BoundedIntegerRead.AboveMaximum : BoundedIntegerRead.Within;
    }
}
