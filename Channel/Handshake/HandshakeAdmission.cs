using System.Net;
using System.Threading.RateLimiting;

namespace Gateway.Channel.Handshake;

/// <summary>
/// Admits a TCP connection to the handshake only within <see cref="HandshakeLimits"/>: a global and a per-address
/// concurrency limit and a per-address token bucket, chained so that a refusal by any one of them refuses.
/// The lease is held for the handshake only, not for the connection's life.
/// </summary>
internal sealed class HandshakeAdmission : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress> _limiter;

    public HandshakeAdmission(HandshakeLimits limits)
    {
        var all = PartitionedRateLimiter.Create<IPAddress, int>(_ => RateLimitPartition.GetConcurrencyLimiter(0,
            _ => new ConcurrencyLimiterOptions { PermitLimit = limits.MaxConcurrent, QueueLimit = 0 }));
        var perAddress = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetConcurrencyLimiter(address,
            _ => new ConcurrencyLimiterOptions { PermitLimit = limits.MaxConcurrentPerAddress, QueueLimit = 0 }));
        var ratePerAddress = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetTokenBucketLimiter(address,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = limits.PerAddressPerSecond,
                TokensPerPeriod = limits.PerAddressPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
        _limiter = PartitionedRateLimiter.CreateChained(all, perAddress, ratePerAddress);
    }

    /// <summary>A lease to dispose when the handshake ended, or null when the connection must be closed unanswered.</summary>
    public RateLimitLease? TryAdmit(IPAddress address)
    {
        var lease = _limiter.AttemptAcquire(address);
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        return null;
    }

    public void Dispose() => _limiter.Dispose();
}
