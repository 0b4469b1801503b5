using System.Net;
using System.Net.Sockets;
using Gateway.Contracts.Errors;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Gateway.Bridges.Resilience;

/// <summary>Which outcomes are worth a retry and which count against an instance's circuit.</summary>
public static class TransientFailures
{
    /// <summary>Worth retrying (for an idempotent call): the platform may well answer next time.</summary>
    public static bool IsTransient(Outcome<object> outcome) => outcome.Exception is { } e
        ? IsTransient(e)
        : outcome.Result is HttpResponseMessage response && IsTransientStatus(response.StatusCode);

    /// <summary>Worth retrying: a failure the platform may well not repeat (also what a migration retries per object).</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        // Our own rejections: retrying inside the same pipeline would only make them worse.
        BrokenCircuitException or RateLimiterRejectedException => false,
        GatewayException g => g.Code is ErrorCode.Throttled or ErrorCode.Unavailable or ErrorCode.Timeout,
        TimeoutRejectedException => true,
        _ => IsConnectionFailure(exception),
    };

    /// <summary>A sign the platform is failing (opens the circuit). Throttling is the platform working as meant, so it does not count.</summary>
    public static bool IsFailure(Outcome<object> outcome) => outcome.Exception switch
    {
        null => outcome.Result is HttpResponseMessage response && (int)response.StatusCode >= 500 && response.StatusCode != HttpStatusCode.NotImplemented,
        BrokenCircuitException or RateLimiterRejectedException => false,
        GatewayException g => g.Code is ErrorCode.Unavailable or ErrorCode.Timeout,
        TimeoutRejectedException => true,
        var e => IsConnectionFailure(e),
    };

    /// <summary>The connection to the platform failed or dropped. An SDK can let the socket's own error out of HttpClient
    /// (the AWS SDK on a connection reset mid-request), so a <see cref="SocketException"/> counts too.</summary>
    public static bool IsConnectionFailure(Exception e) => e is HttpRequestException or IOException or SocketException;

    public static bool IsTransientStatus(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout
        or HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
        or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    /// <summary>The wait the platform asked for: <see cref="GatewayException.RetryAfterSeconds"/> or a Retry-After header.</summary>
    public static TimeSpan? RetryAfter(Outcome<object> outcome)
    {
        if (outcome.Exception is GatewayException { RetryAfterSeconds: { } seconds })
            return TimeSpan.FromSeconds(Math.Max(0, seconds));
        if (outcome.Result is HttpResponseMessage { Headers.RetryAfter: { } header })
        {
            if (header.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            if (header.Date is { } date)
            {
                var wait = date - DateTimeOffset.UtcNow;
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }
        }
        return null;
    }

    /// <summary>A short, caller-safe description of a failed outcome for logs and status.</summary>
    public static string Describe(Outcome<object> outcome) => outcome.Exception switch
    {
        null when outcome.Result is HttpResponseMessage response => $"HTTP {(int)response.StatusCode}",
        null => "unexpected result",
        GatewayException g => $"{g.Code.Slug()}: {g.Message}",
        TimeoutRejectedException t => $"timeout after {t.Timeout.TotalMilliseconds:0} ms",
        HttpRequestException h => h.HttpRequestError == HttpRequestError.Unknown ? "connection failed" : $"connection failed ({h.HttpRequestError})",
        IOException => "connection dropped",
        SocketException s => $"connection failed ({s.SocketErrorCode})",
        var e => e.GetType().Name,
    };
}
