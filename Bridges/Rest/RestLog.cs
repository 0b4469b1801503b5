using Microsoft.Extensions.Logging;

namespace Gateway.Bridges.Rest;

static partial class RestLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Upstream {Upstream}: fetched an access token valid for {Seconds:0} s")]
    public static partial void TokenFetched(ILogger logger, string upstream, double seconds);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Upstream {Upstream}: token endpoint answered HTTP {Status}")]
    public static partial void TokenFailed(ILogger logger, string upstream, int status);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Upstream {Upstream}: access token rejected (401), renewing")]
    public static partial void TokenRejected(ILogger logger, string upstream);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Upstream {Upstream}: destination {Destination} failed ({Reason}); skipped for {CooldownMs:0} ms")]
    public static partial void DestinationFailed(ILogger logger, string upstream, string destination, string reason, double cooldownMs);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Upstream {Upstream}: response body passed the {Limit} byte limit; aborted")]
    public static partial void ResponseTooLarge(ILogger logger, string upstream, long limit);
}
