using Gateway.Contracts.Clusters;

namespace Gateway.Kubernetes.Channel;

/// <summary>Operation names and JSON argument shapes of the "clusters" bridge family on CTP-96.</summary>
public static class ClusterCalls
{
    public const string Family = "clusters";

    public const string ListNamespaces = "list-namespaces";
    public const string ListPods = "list-pods";
    public const string GetPod = "get-pod";
    /// <summary>Answers with the log as a <see cref="PaddedChunks"/> body.</summary>
    public const string PodLogs = "pod-logs";
    public const string ListDeployments = "list-deployments";
    public const string GetDeployment = "get-deployment";
    public const string Scale = "scale-deployment";
    public const string Restart = "restart-deployment";
    public const string ListEvents = "list-events";

    public sealed record ListArgs(string? Namespace, ClusterListQuery Query);
    public sealed record ObjectArgs(string Namespace, string Name);
    public sealed record LogsArgs(string Namespace, string Name, PodLogsQuery Query);
    public sealed record ScaleArgs(string Namespace, string Name, int Replicas);
}
