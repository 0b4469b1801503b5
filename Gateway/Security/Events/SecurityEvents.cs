using Gateway.Contracts.Diagnostics;
using System.Diagnostics.Metrics;

namespace Gateway.Security;

/// <summary>
/// Counts and logs every denied or malformed request. Only the event kind, method, path, remote address and
/// caller name are recorded: never a header value, key, token, signature or query string.
/// </summary>
public sealed partial class SecurityEvents
{
    public const string MeterName = "Gateway.Security";
    /// <summary>Before issue 15: <c>gateway.security.events</c> with tag <c>event</c>.</summary>
    public const string CounterName = "gateway.security.refusals";
    private readonly Counter<long> _counter;
    private readonly ILogger<SecurityEvents> _logger;

    public SecurityEvents(IMeterFactory meters, ILogger<SecurityEvents> logger)
    {
        _logger = logger;
        _counter = meters.Create(MeterName).CreateCounter<long>(CounterName, unit: "{request}",
            description: "Requests refused for a security reason, by reason (the security event kind).");
    }

    /// <param name="reason">A fixed, secret-free explanation (never a value taken from the request).</param>
    public void Denied(HttpContext context, SecurityEvent kind, string reason)
    {
        // A request is counted once, at its first refusal.
        if (context.Items.ContainsKey(typeof(SecurityEvents))) return;
        context.Items[typeof(SecurityEvents)] = kind;
        _counter.Add(1, new KeyValuePair<string, object?>("reason", kind.Slug()));
        LogDenied(_logger, kind.Slug(), context.Request.Method, context.Request.Path.Value ?? "",
            context.Connection.RemoteIpAddress?.ToString() ?? "-", context.User.CallerName() ?? "-", reason);
    }

    [LoggerMessage(EventId = EventIds.SecurityEvent, Level = LogLevel.Warning,
        Message = "Security event {Event}: {Method} {Path} from {Remote} (caller {Caller}): {Reason}")]
    private static partial void LogDenied(ILogger logger, string @event, string method, string path, string remote, string caller, string reason);
}
