using Gateway.Contracts.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Bridges.Rest;

static partial class RestLog
{
    [LoggerMessage(EventId = EventIds.RestTokenFetched, Level = LogLevel.Information, Message = "Upstream {Upstream}: fetched an access token valid for {Seconds:0} s")]
    public static partial void TokenFetched(ILogger logger, string upstream, double seconds);

    [LoggerMessage(EventId = EventIds.RestTokenEndpointFailed, Level = LogLevel.Warning, Message = "Upstream {Upstream}: token endpoint answered HTTP {Status}")]
    public static partial void TokenFailed(ILogger logger, string upstream, int status);

    [LoggerMessage(EventId = EventIds.RestTokenRejected, Level = LogLevel.Information, Message = "Upstream {Upstream}: access token rejected (401), renewing")]
    public static partial void TokenRejected(ILogger logger, string upstream);

    [LoggerMessage(EventId = EventIds.RestDestinationFailed, Level = LogLevel.Warning, Message = "Upstream {Upstream}: destination {Destination} failed ({Reason}); skipped for {CooldownMs:0} ms")]
    public static partial void DestinationFailed(ILogger logger, string upstream, string destination, string reason, double cooldownMs);

    [LoggerMessage(EventId = EventIds.RestResponseTooLarge, Level = LogLevel.Warning, Message = "Upstream {Upstream}: response body passed the {Limit} byte limit; aborted")]
    public static partial void ResponseTooLarge(ILogger logger, string upstream, long limit);

    [LoggerMessage(EventId = EventIds.RestUnsendableResponseHeader, Level = LogLevel.Warning, Message = "Upstream {Upstream}: answered a {Header} header whose value cannot be sent on (a control character or non-ASCII); answered 502")]
    public static partial void UnsendableResponseHeader(ILogger logger, string upstream, string header);

    [LoggerMessage(EventId = EventIds.RestInvalidResponseFraming, Level = LogLevel.Warning, Message = "Upstream {Upstream}: answered with {Fault}; answered 502")]
    public static partial void InvalidResponseFraming(ILogger logger, string upstream, string fault);

    [LoggerMessage(EventId = EventIds.RestResponseStalled, Level = LogLevel.Warning, Message = "Upstream {Upstream}: sent nothing within its answer for {IdleMs:0} ms (ResponseIdleTimeout); aborted")]
    public static partial void ResponseStalled(ILogger logger, string upstream, double idleMs);
}
