using Gateway.Contracts.Diagnostics;
using Gateway.Contracts.Errors;

namespace Gateway.Problems;

/// <summary>
/// One rule for every streamed answer (an object, a followed log, NDJSON, an archive, an upstream's body) that fails
/// after its head went out: the connection is aborted, so the caller cannot take a cut body for a whole one, and the
/// failure is logged once. A platform or channel fault is a Warning naming the endpoint and the fault; anything else is
/// a gateway bug, an Error with its stack trace. Without this, ASP.NET's exception handler logged an unhandled
/// exception and Kestrel a second one, both at Error, for a Docker engine or API server that hung up mid-log. A caller
/// that went away is its own normal end and logged at Debug.
/// </summary>
internal static partial class StreamFaultGuard
{
    public static IApplicationBuilder UseStreamFaultGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (context.Response.HasStarted)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StreamFaultGuard));
            var endpoint = context.GetEndpoint()?.DisplayName ?? context.Request.Path.ToString();
            if (context.RequestAborted.IsCancellationRequested) LogCallerGone(logger, endpoint, e.GetType().Name);
            else if (e is IOException or HttpRequestException || GatewayExceptionHandler.Classify(e, context.Request).Code != ErrorCode.Internal)
                LogCut(logger, endpoint, e.GetType().Name, e is GatewayException g ? g.Code.Slug() : "-");
            else LogFailed(logger, e, endpoint);
            context.Abort();
        }
    });

    [LoggerMessage(EventId = EventIds.StreamCutAfterStart, Level = LogLevel.Warning,
        Message = "{Endpoint}: the answer failed after it began ({Kind}, {Code}); the connection was aborted")]
    private static partial void LogCut(ILogger logger, string endpoint, string kind, string code);

    [LoggerMessage(EventId = EventIds.UnhandledFailure, Level = LogLevel.Error,
        Message = "{Endpoint}: the answer failed after it began; the connection was aborted")]
    private static partial void LogFailed(ILogger logger, Exception exception, string endpoint);

    [LoggerMessage(EventId = EventIds.StreamCallerGone, Level = LogLevel.Debug,
        Message = "{Endpoint}: the caller went away during the answer ({Kind})")]
    private static partial void LogCallerGone(ILogger logger, string endpoint, string kind);
}
