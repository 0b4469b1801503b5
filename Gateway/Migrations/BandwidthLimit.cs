using System.Threading.RateLimiting;

namespace Gateway.Migrations;

/// <summary>
/// A job's bandwidth limit as a token bucket refilled every 100 ms. The bucket holds one refill, and reads are cut to
/// at most one refill too, so no more than a tenth of a second's bytes ever pass at once: before, the bucket held at
/// least 64 KiB (the read size), and a job limited to 1 KiB/s moved its first 64 KiB, and 64 KiB after every pause,
/// unthrottled (session-43 migration probe, D3).
/// </summary>
internal static class BandwidthLimit
{
    private const int MaxChunk = 64 * 1024;
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    /// <summary>The bytes one refill adds, and the most one read may take.</summary>
    public static int Chunk(long bytesPerSecond) => Math.Min(PerRefill(bytesPerSecond), MaxChunk);

    private static int PerRefill(long bytesPerSecond) => (int)Math.Clamp(bytesPerSecond / 10, 1, int.MaxValue);

    public static TokenBucketRateLimiter Limiter(long bytesPerSecond)
    {
        var perRefill = PerRefill(bytesPerSecond);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            // One refill, which is never less than one read (Chunk), so every read can be granted.
            TokenLimit = perRefill,
            TokensPerPeriod = perRefill,
            ReplenishmentPeriod = Period,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }
}
