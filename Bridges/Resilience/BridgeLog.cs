using Gateway.Contracts.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Bridges.Resilience;

static partial class BridgeLog
{
    [LoggerMessage(EventId = EventIds.BridgeRetry, Level = LogLevel.Information, Message = "Bridge {Instance}: retry {Attempt} in {DelayMs:0} ms after {Reason}")]
    public static partial void Retrying(ILogger logger, string instance, int attempt, double delayMs, string reason);

    [LoggerMessage(EventId = EventIds.BridgeCircuitOpened, Level = LogLevel.Warning, Message = "Bridge {Instance}: circuit opened for {BreakMs:0} ms after {Reason}")]
    public static partial void CircuitOpened(ILogger logger, string instance, double breakMs, string reason);

    [LoggerMessage(EventId = EventIds.BridgeCircuitHalfOpen, Level = LogLevel.Information, Message = "Bridge {Instance}: circuit half-open, probing")]
    public static partial void CircuitHalfOpened(ILogger logger, string instance);

    [LoggerMessage(EventId = EventIds.BridgeCircuitClosed, Level = LogLevel.Information, Message = "Bridge {Instance}: circuit closed")]
    public static partial void CircuitClosed(ILogger logger, string instance);

    [LoggerMessage(EventId = EventIds.BridgeCallRejected, Level = LogLevel.Warning, Message = "Bridge {Instance}: call rejected, {MaxConcurrency} running and {QueueLimit} queued")]
    public static partial void ConcurrencyRejected(ILogger logger, string instance, int maxConcurrency, int queueLimit);
}
