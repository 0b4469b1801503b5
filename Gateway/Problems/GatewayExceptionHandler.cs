using Gateway.Contracts.Diagnostics;
using Gateway.Contracts.Errors;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Problems;

/// <summary>Turns every failure into RFC 9457 problem+json with a stable type; bad input never becomes a 500.</summary>
internal sealed partial class GatewayExceptionHandler(IProblemDetailsService problems, ILogger<GatewayExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var (code, detail, retryAfter, extensions) = Classify(exception, context.Request);
        if (code == ErrorCode.Internal) LogUnhandled(logger, exception, context.Request.Method, context.Request.Path);
        else LogRejected(logger, context.Request.Method, context.Request.Path, code.Slug());

        if (context.Response.HasStarted)
        {
            // A streamed body is already under way: abort, so the client cannot take it for complete.
            context.Abort();
            return true;
        }
        await WriteAsync(problems, context, code, detail, retryAfter, extensions);
        return true;
    }

    private const string RequestIdHeader = "X-Request-Id";

    public static ValueTask WriteAsync(IProblemDetailsService problems, HttpContext context, ErrorCode code, string detail,
        int? retryAfter = null, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var status = code.HttpStatus();
        context.Response.StatusCode = status;
        // The exception handler cleared the headers, X-Request-Id among them; every answer carries it (docs/errors.md).
        if (context.Items[RequestIdHeader] is string requestId) context.Response.Headers[RequestIdHeader] = requestId;
        if (retryAfter is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (code == ErrorCode.RangeNotSatisfiable && extensions?.GetValueOrDefault("size") is long size)
            context.Response.Headers.ContentRange = $"bytes */{size}";
        if (code == ErrorCode.MethodNotAllowed && extensions?.GetValueOrDefault("allow") is string allow)
            context.Response.Headers.Allow = allow;
        if (code == ErrorCode.NotModified)
        {
            NotModifiedHeaders.Write(context.Response, extensions);
            return ValueTask.CompletedTask;
        }
        var problem = new ProblemDetails
        {
            Type = ProblemTypes.For(code),
            Title = Title(code),
            Status = status,
            Detail = detail,
            Instance = InstanceOf(context),
        };
        problem.Extensions["code"] = code.Slug();
        // An error is problem+json whatever the caller accepts: the default writer declines an Accept without JSON
        // (application/xml), and IProblemDetailsService.WriteAsync then throws, turning a 404 into a 500.
        context.Request.Headers.Accept = default;
        return problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    /// <summary>
    /// The path as the caller sent it, not Kestrel's decoded one with dot segments removed (a refused
    /// "/v1/rest/x/%2e%2e/%2e%2e/etc" would otherwise be named "/v1/etc"), and with the path base. The query is left
    /// out: it may carry a presigned URL's signature or a token.
    /// </summary>
    private static string InstanceOf(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/') return (context.Request.PathBase + context.Request.Path).ToUriComponent();
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return AsUriPath(query < 0 ? raw : raw[..query]);
    }

    /// <summary>
    /// <paramref name="path"/> with what RFC 3986 leaves out of a path percent-encoded, so <c>instance</c> is the URI reference
    /// RFC 9457 §3.1.5 asks for: Kestrel takes '"', '&lt;', '&gt;', '{', '}', '|', '^' and '`' raw in a target, and a '%' that
    /// starts no escape reaches the 400 that refuses it.
    /// </summary>
    internal static string AsUriPath(string path)
    {
        System.Text.StringBuilder? escaped = null;
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (IsPathCharacter(c) || (c == '%' && i + 2 < path.Length && Uri.IsHexDigit(path[i + 1]) && Uri.IsHexDigit(path[i + 2])))
            {
                escaped?.Append(c);
                continue;
            }
            escaped ??= new System.Text.StringBuilder(path.Length + 16).Append(path, 0, i);
            foreach (var b in System.Text.Encoding.UTF8.GetBytes([c])) escaped.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return escaped?.ToString() ?? path;
    }

    // pchar and '/': unreserved, sub-delims, ':' and '@' (RFC 3986 §3.3); '%' is checked by the caller.
    private static bool IsPathCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~'
        or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=' or ':' or '@' or '/';

    internal static (ErrorCode Code, string Detail, int? RetryAfter, IReadOnlyDictionary<string, object?>? Extensions) Classify(Exception exception, HttpRequest request) => exception switch
    {
        GatewayException g => (g.Code, g.Message, g.RetryAfterSeconds, g.Extensions),
        BadHttpRequestException { StatusCode: 413 } => (ErrorCode.PayloadTooLarge, "The request body is larger than allowed.", null, null),
        BadHttpRequestException { StatusCode: 415 } => (ErrorCode.UnsupportedMediaType, "The request body must be JSON (Content-Type: application/json).", null, null),
        BadHttpRequestException b => (ErrorCode.BadRequest, BindingFailures.Describe(b, request), null, null),
        OperationCanceledException => (ErrorCode.Timeout, "The request was cancelled before it completed.", null, null),
        // The channel broke under a body the endpoint was still reading: the bridge host is gone, not the caller's fault.
        Gateway.Channel.Framing.ChannelProtocolException or Gateway.Channel.Framing.ChannelStreamResetException =>
            (ErrorCode.Unavailable, "The channel to the bridge host closed before the answer was complete.", null, null),
        _ => (ErrorCode.Internal, "An unexpected error occurred; it has been logged.", null, null),
    };

    private static string Title(ErrorCode code) => code switch
    {
        ErrorCode.BadRequest => "Bad request",
        ErrorCode.BadDigest => "Content digest mismatch",
        ErrorCode.NotFound => "Not found",
        ErrorCode.Conflict => "Conflict",
        ErrorCode.PreconditionFailed => "Precondition failed",
        ErrorCode.RangeNotSatisfiable => "Range not satisfiable",
        ErrorCode.PayloadTooLarge => "Payload too large",
        ErrorCode.Throttled => "Too many requests",
        ErrorCode.Unavailable => "Service unavailable",
        ErrorCode.Forbidden => "Forbidden",
        ErrorCode.Unauthorized => "Unauthorized",
        ErrorCode.Timeout => "Timeout",
        ErrorCode.NotSupported => "Not supported",
        ErrorCode.NotImplemented => "Not implemented by this store",
        ErrorCode.MethodNotAllowed => "Method not allowed",
        ErrorCode.UnsupportedMediaType => "Unsupported media type",
        ErrorCode.WitnessFailed => "Witness verification failed",
        ErrorCode.UriTooLong => "URI too long",
        ErrorCode.HeadersTooLarge => "Request header fields too large",
        ErrorCode.BadGateway => "Bad gateway",
        _ => "Internal error",
    };

    [LoggerMessage(EventId = EventIds.UnhandledFailure, Level = LogLevel.Error, Message = "Unhandled failure on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = EventIds.RequestRejected, Level = LogLevel.Debug, Message = "Rejected {Method} {Path}: {Code}")]
    private static partial void LogRejected(ILogger logger, string method, string path, string code);
}
