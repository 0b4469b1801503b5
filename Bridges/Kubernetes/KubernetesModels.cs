using k8s.Models;
using Gateway.Contracts.Clusters;

namespace Gateway.Bridges.Kubernetes;

/// <summary>KubernetesClient's models → the gateway's records (no SDK type leaves the bridge).</summary>
static class KubernetesModels
{
    public const string RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";
    static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    public static NamespaceInfo ToContract(V1Namespace n) =>
        new(Named(n?.Metadata, "namespace").Name, n!.Status?.Phase, Time(n.Metadata.CreationTimestamp), Labels(n.Metadata.Labels));

    public static PodInfo ToContract(V1Pod p) => new(
        Named(p?.Metadata, "pod").NamespaceProperty, p!.Metadata.Name, p.Status?.Phase, p.Spec?.NodeName, p.Status?.PodIP,
        Time(p.Metadata.CreationTimestamp), Time(p.Status?.StartTime), Labels(p.Metadata.Labels),
        p.Spec?.Containers?.Select(c => c.Name).ToList() ?? [],
        p.Status?.ContainerStatuses?.Select(ToContract).ToList() ?? []);

    static PodContainerStatus ToContract(V1ContainerStatus s)
    {
        var (state, reason) = s.State switch
        {
            { Running: not null } => ("running", (string?)null),
            { Waiting: { } w } => ("waiting", w.Reason),
            { Terminated: { } t } => ("terminated", t.Reason),
            _ => ("unknown", null),
        };
        return new PodContainerStatus(s.Name, s.Image, s.Ready, s.RestartCount, state, reason);
    }

    public static DeploymentInfo ToContract(V1Deployment d)
    {
        Named(d?.Metadata, "deployment");
        string? restartedAt = null;
        d!.Spec?.Template?.Metadata?.Annotations?.TryGetValue(RestartedAtAnnotation, out restartedAt);
        return new DeploymentInfo(
            d.Metadata.NamespaceProperty, d.Metadata.Name, d.Spec?.Replicas ?? 1, d.Status?.ReadyReplicas ?? 0,
            d.Status?.AvailableReplicas ?? 0, d.Status?.UpdatedReplicas ?? 0, d.Metadata.Generation ?? 0,
            d.Status?.ObservedGeneration, Labels(d.Metadata.Labels), Labels(d.Spec?.Selector?.MatchLabels),
            d.Spec?.Template?.Spec?.Containers?.Select(c => c.Image).ToList() ?? [], Time(d.Metadata.CreationTimestamp),
            restartedAt);
    }

    public static DeploymentScale ToContract(V1Scale s) =>
        new(Named(s?.Metadata, "scale").NamespaceProperty, s!.Metadata.Name, s.Spec?.Replicas ?? 0, s.Status?.Replicas ?? 0);

    public static ClusterEvent ToContract(Corev1Event e) => new(
        Named(e?.Metadata, "event").NamespaceProperty, e!.Metadata.Name, e.Type, e.Reason, e.Message, e.InvolvedObject?.Kind,
        e.InvolvedObject?.Name, e.Count ?? 1, Time(e.FirstTimestamp ?? e.EventTime),
        Time(e.LastTimestamp ?? e.EventTime ?? e.FirstTimestamp), e.Source?.Component ?? e.ReportingComponent);

    /// <summary>
    /// Every object the API server sends has metadata with a name; one without (<c>{}</c>, <c>null</c>, a list where an
    /// object belongs) is not the Kubernetes API, and must not surface as the gateway's own NullReferenceException.
    /// </summary>
    static V1ObjectMeta Named(V1ObjectMeta? metadata, string kind) =>
        metadata is { Name.Length: > 0 } ? metadata : throw new NotTheApiException($"a {kind} without metadata.name");

    /// <summary>A list's items, refusing a list without them or with a null item (not the Kubernetes API).</summary>
    public static IEnumerable<T> Items<T>(IList<T>? items, string kind) where T : class =>
        items is not null && !items.Contains(null!) ? items : throw new NotTheApiException($"a {kind} list without items");

    static IReadOnlyDictionary<string, string> Labels(IDictionary<string, string>? labels) =>
        labels is null ? Empty : new Dictionary<string, string>(labels);

    static DateTimeOffset? Time(DateTime? t) =>
        t is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : v, DateTimeKind.Utc)) : null;
}

/// <summary>An answer that parsed but is not shaped as the Kubernetes API's (a stub, a proxy's JSON, another service).</summary>
sealed class NotTheApiException(string what) : Exception($"The answer is {what}.");
