using System.Diagnostics;
using Gateway.Channel.Rpc;

namespace Gateway.Channel.Diagnostics;

/// <summary>
/// The spans of a bridge call: a client span on the gateway where the family client dispatches it, and a server span
/// on the bridge host that joins the caller's trace through the W3C trace context carried in the call message
/// (<see cref="CallRequest.TraceParent"/>). Attributes name the bridge and what the call acts on; never arguments,
/// bodies or credentials.
/// </summary>
public static class BridgeCallTracing
{
    public const string SourceName = "Gateway.Channel";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// The gateway side's span of a call; null when nobody listens, and inside a request that is not sampled: the
    /// parent-based sampler would not record the span anyway, and the call carries the request's own trace context
    /// (<see cref="WithTraceContext"/>), so the host's span stays in that trace, unsampled.
    /// </summary>
    internal static Activity? StartClient(string family, string kind, string instance, string operation, string target)
    {
        if (!Source.HasListeners() || Activity.Current is { Recorded: false, IsAllDataRequested: false }) return null;
        var activity = Source.StartActivity(family + " " + operation, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true }) Tag(activity, family, kind, instance, operation, target);
        return activity;
    }

    /// <summary>The bridge host's span of a call, a child of the caller's span when the call carries its context.</summary>
    internal static Activity? StartHost(CallRequest request)
    {
        // The host's streams run in whatever context opened the connection (in-process: some earlier request): a
        // call without trace context starts its own trace instead of joining that one, and with tracing off the
        // bridge's outgoing HTTP calls carry no context at all (HttpClient injects the current activity's, which was
        // that request's: every REST upstream got one stale trace id in place of its caller's traceparent).
        Activity.Current = null;
        if (!Source.HasListeners()) return null;
        ActivityContext.TryParse(request.TraceParent, request.TraceState, isRemote: true, out var parent);
        var activity = Source.StartActivity(request.Family + " " + request.Operation, ActivityKind.Server, parent);
        if (activity is { IsAllDataRequested: true }) Tag(activity, request.Family, null, request.Instance, request.Operation, request.Target);
        return activity;
    }

    /// <summary>
    /// A request carrying the W3C trace context of the call's span, or of the current activity when the call has no
    /// span of its own (an unsampled request) and spans are recorded at all (unchanged when there is none).
    /// </summary>
    internal static CallRequest WithTraceContext(CallRequest request, Activity? span)
    {
        var activity = span ?? (Source.HasListeners() ? Activity.Current : null);
        return activity is null || activity.IdFormat != ActivityIdFormat.W3C ? request
            : request with { TraceParent = activity.Id, TraceState = activity.TraceStateString };
    }

    internal static void Failed(Activity? activity, string code)
    {
        if (activity is null) return;
        activity.SetStatus(ActivityStatusCode.Error, code);
        activity.SetTag("error.type", code);
    }

    private static void Tag(Activity activity, string family, string? kind, string instance, string operation, string target)
    {
        activity.SetTag("bridge.family", family);
        if (kind is not null) activity.SetTag(BridgeCallMetrics.KindTag, kind);
        activity.SetTag(BridgeCallMetrics.NameTag, instance);
        activity.SetTag(BridgeCallMetrics.OperationTag, operation);
        if (target.Length > 0) activity.SetTag("bridge.target", target);
    }
}
