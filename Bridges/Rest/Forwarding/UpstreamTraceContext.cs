using System.Diagnostics;

namespace Gateway.Bridges.Rest.Forwarding;

/// <summary>
/// How an upstream call carries trace context, as a reverse proxy should: the caller's own trace headers (copied with
/// the other headers) are replaced by the context of the gateway's outgoing HTTP span, so the upstream's span is a child
/// of the gateway's call rather than a sibling of it. HttpClient would otherwise leave a header that is already there.
/// Without tracing there is no outgoing span, nothing is injected, and the caller's headers pass as they came.
/// </summary>
sealed class UpstreamTraceContext(DistributedContextPropagator inner) : DistributedContextPropagator
{
    public static UpstreamTraceContext Default { get; } = new(CreateW3CPropagator());

    public override IReadOnlyCollection<string> Fields => inner.Fields;

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter)
    {
        if (carrier is HttpRequestMessage request)
            foreach (var field in inner.Fields) request.Headers.Remove(field);
        inner.Inject(activity, carrier, setter);
    }

    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState) =>
        inner.ExtractTraceIdAndState(carrier, getter, out traceId, out traceState);

    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) =>
        inner.ExtractBaggage(carrier, getter);
}
