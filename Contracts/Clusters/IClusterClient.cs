namespace Gateway.Contracts.Clusters;

/// <summary>
/// One Kubernetes cluster (a named entry under Gateway:Kubernetes:Clusters). Namespaces and names are checked
/// again with <see cref="KubernetesNames"/> before any call. API <c>Status</c> errors map to the gateway's codes
/// (403 Forbidden, 404 NotFound, 409 Conflict, 422 BadRequest, 429 Throttled, 5xx Unavailable).
/// </summary>
public interface IClusterClient
{
    string Name { get; }

    Task<ClusterList<NamespaceInfo>> ListNamespacesAsync(ClusterListQuery query, CancellationToken ct);

    Task<ClusterList<PodInfo>> ListPodsAsync(string ns, ClusterListQuery query, CancellationToken ct);
    Task<PodInfo> GetPodAsync(string ns, string name, CancellationToken ct);

    /// <summary>
    /// Deletes the pod, as <c>kubectl delete pod</c> (its controller, if any, makes a new one). The API server's own
    /// grace period applies unless <paramref name="gracePeriodSeconds"/> is given (0: at once).
    /// </summary>
    Task DeletePodAsync(string ns, string name, int? gracePeriodSeconds, CancellationToken ct);

    /// <summary>Opens the pod's log as the API server streams it (text). The caller disposes the stream.</summary>
    Task<Stream> OpenPodLogsAsync(string ns, string name, PodLogsQuery query, CancellationToken ct);

    Task<ClusterList<DeploymentInfo>> ListDeploymentsAsync(string ns, ClusterListQuery query, CancellationToken ct);
    Task<DeploymentInfo> GetDeploymentAsync(string ns, string name, CancellationToken ct);

    /// <summary>Sets the desired replicas through the deployment's <c>scale</c> subresource.</summary>
    Task<DeploymentScale> ScaleDeploymentAsync(string ns, string name, int replicas, CancellationToken ct);

    /// <summary>
    /// What <c>kubectl rollout restart</c> does: stamps the pod template's
    /// <c>kubectl.kubernetes.io/restartedAt</c> annotation, so the deployment rolls out new pods.
    /// </summary>
    Task<DeploymentInfo> RestartDeploymentAsync(string ns, string name, CancellationToken ct);

    Task<ClusterList<ClusterEvent>> ListEventsAsync(string ns, ClusterListQuery query, CancellationToken ct);
}
