using k8s.Models;
using Gateway.Contracts.Clusters;

namespace Gateway.Bridges.Kubernetes;

/// <summary>KubernetesClient's models → the gateway's records (no SDK type leaves the bridge).</summary>
static class KubernetesModels
{
    public const string RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";
    static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    public static NamespaceInfo ToContract(V1Namespace n) =>
        new(n.Metadata.Name, n.Status?.Phase, Time(n.Metadata.CreationTimestamp), Labels(n.Metadata.Labels));

    public static PodInfo ToContract(V1Pod p) => new(
        p.Metadata.NamespaceProperty, p.Metadata.Name, p.Status?.Phase, p.Spec?.NodeName, p.Status?.PodIP,
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
        string? restartedAt = null;
        d.Spec?.Template?.Metadata?.Annotations?.TryGetValue(RestartedAtAnnotation, out restartedAt);
        return new DeploymentInfo(
            d.Metadata.NamespaceProperty, d.Metadata.Name, d.Spec?.Replicas ?? 1, d.Status?.ReadyReplicas ?? 0,
            d.Status?.AvailableReplicas ?? 0, d.Status?.UpdatedReplicas ?? 0, d.Metadata.Generation ?? 0,
            d.Status?.ObservedGeneration, Labels(d.Metadata.Labels), Labels(d.Spec?.Selector?.MatchLabels),
            d.Spec?.Template?.Spec?.Containers?.Select(c => c.Image).ToList() ?? [], Time(d.Metadata.CreationTimestamp),
            restartedAt);
    }

    public static DeploymentScale ToContract(V1Scale s) =>
        new(s.Metadata.NamespaceProperty, s.Metadata.Name, s.Spec?.Replicas ?? 0, s.Status?.Replicas ?? 0);

    public static ClusterEvent ToContract(Corev1Event e) => new(
        e.Metadata.NamespaceProperty, e.Metadata.Name, e.Type, e.Reason, e.Message, e.InvolvedObject?.Kind,
        e.InvolvedObject?.Name, e.Count ?? 1, Time(e.FirstTimestamp ?? e.EventTime),
        Time(e.LastTimestamp ?? e.EventTime ?? e.FirstTimestamp), e.Source?.Component ?? e.ReportingComponent);

    static IReadOnlyDictionary<string, string> Labels(IDictionary<string, string>? labels) =>
        labels is null ? Empty : new Dictionary<string, string>(labels);

    static DateTimeOffset? Time(DateTime? t) =>
        t is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : v, DateTimeKind.Utc)) : null;
}
