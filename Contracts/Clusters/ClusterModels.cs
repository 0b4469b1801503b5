namespace Gateway.Contracts.Clusters;

/// <param name="LabelSelector">Kubernetes label selector, e.g. <c>app=web,tier!=cache</c>.</param>
/// <param name="Limit">Page size (<see cref="DefaultLimit"/> when absent); the answer's <see cref="ClusterList{T}.Continue"/> fetches the next page.</param>
/// <param name="Continue">The token from the previous page.</param>
/// <param name="FieldSelector">Kubernetes field selector, e.g. <c>status.phase=Running</c> or <c>involvedObject.name=web-1</c>.</param>
public sealed record ClusterListQuery(string? LabelSelector = null, int? Limit = null, string? Continue = null, string? FieldSelector = null)
{
    /// <summary>
    /// The page size asked of the API server when the caller names none: kubectl's own chunk size. Without it a list
    /// came whole, whatever its size (a namespace of 20,000 pods grew the gateway by some 200 MB), so it is a page too.
    /// </summary>
    public const int DefaultLimit = 500;

    public const int MaxLimit = 5000;

    public static ClusterListQuery Default { get; } = new();

    /// <summary>The page size to ask for.</summary>
    public int PageSize => Limit ?? DefaultLimit;
}

/// <param name="Continue">Set when more items are left: pass it back as <see cref="ClusterListQuery.Continue"/>.</param>
public sealed record ClusterList<T>(IReadOnlyList<T> Items, string? Continue);

public sealed record NamespaceInfo(string Name, string? Phase, DateTimeOffset? Created, IReadOnlyDictionary<string, string> Labels);

public sealed record PodContainerStatus(string Name, string Image, bool Ready, int RestartCount, string State, string? Reason);

public sealed record PodInfo(
    string Namespace, string Name, string? Phase, string? NodeName, string? PodIp, DateTimeOffset? Created,
    DateTimeOffset? StartTime, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<string> ContainerNames,
    IReadOnlyList<PodContainerStatus> Containers);

/// <param name="Container">Required when the pod has more than one container.</param>
/// <param name="TailLines">Only the last N lines.</param>
/// <param name="SinceSeconds">Only lines newer than this many seconds.</param>
/// <param name="Previous">The log of the previous, terminated instance of the container.</param>
public sealed record PodLogsQuery(
    string? Container = null, bool Follow = false, int? TailLines = null, bool Timestamps = false,
    int? SinceSeconds = null, bool Previous = false);

/// <param name="RestartedAt">The pod template's <c>kubectl.kubernetes.io/restartedAt</c> annotation, when set.</param>
public sealed record DeploymentInfo(
    string Namespace, string Name, int DesiredReplicas, int ReadyReplicas, int AvailableReplicas, int UpdatedReplicas,
    long Generation, long? ObservedGeneration, IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Selector, IReadOnlyList<string> Images, DateTimeOffset? Created, string? RestartedAt);

public sealed record DeploymentScale(string Namespace, string Name, int Replicas, int CurrentReplicas);

public sealed record ClusterEvent(
    string Namespace, string Name, string? Type, string? Reason, string? Message, string? InvolvedKind,
    string? InvolvedName, int Count, DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen, string? Source);
