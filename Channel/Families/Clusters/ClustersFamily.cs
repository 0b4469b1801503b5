using Gateway.Channel.Rpc;
using Gateway.Contracts.Clusters;

namespace Gateway.Channel.Families.Clusters;

/// <summary>The "clusters" family: every <see cref="IClusterClient"/> (Kubernetes) operation, declared once.</summary>
public static class ClustersFamily
{
    public static BridgeFamily<IClusterClient> Declaration { get; } = new("clusters", "Kubernetes cluster",
    checks:
    [
        ArgumentCheck.Named("ns", KubernetesNames.ValidateNamespace),
        ArgumentCheck.Named("name", KubernetesNames.ValidateName),
        ArgumentCheck.Named("replicas", KubernetesNames.ValidateReplicas),
        ArgumentCheck.Named("gracePeriodSeconds", (int seconds) => KubernetesNames.ValidateGracePeriod(seconds)),
        ArgumentCheck.Of<ClusterListQuery>(KubernetesNames.Validate),
        ArgumentCheck.Of<PodLogsQuery>(KubernetesNames.Validate),
    ],
    operations:
    [
        new("list-namespaces", nameof(IClusterClient.ListNamespacesAsync)) { Idempotent = true },
        new("list-pods", nameof(IClusterClient.ListPodsAsync)) { Idempotent = true, Target = a => a.Join("ns") },
        new("get-pod", nameof(IClusterClient.GetPodAsync)) { Idempotent = true, Target = a => a.Join("ns", "name") },
        new("delete-pod", nameof(IClusterClient.DeletePodAsync)) { Target = a => a.Join("ns", "name") },
        new("pod-logs", nameof(IClusterClient.OpenPodLogsAsync)) { Idempotent = true, ResponseBody = ResponseBody.Live, Target = a => a.Join("ns", "name") },
        new("list-deployments", nameof(IClusterClient.ListDeploymentsAsync)) { Idempotent = true, Target = a => a.Join("ns") },
        new("get-deployment", nameof(IClusterClient.GetDeploymentAsync)) { Idempotent = true, Target = a => a.Join("ns", "name") },
        new("scale-deployment", nameof(IClusterClient.ScaleDeploymentAsync)) { Idempotent = true, Target = a => a.Join("ns", "name") },
        new("restart-deployment", nameof(IClusterClient.RestartDeploymentAsync)) { Target = a => a.Join("ns", "name") },
        new("list-events", nameof(IClusterClient.ListEventsAsync)) { Idempotent = true, Target = a => a.Join("ns") },
    ])
    {
        ValidateInstanceName = KubernetesNames.ValidateCluster,
    };
}
