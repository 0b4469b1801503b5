using Gateway.Channel.ObjectStorage;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Clusters;
using static Gateway.Kubernetes.Channel.ClusterCalls;

namespace Gateway.Kubernetes.Channel;

/// <summary>
/// An <see cref="IClusterClient"/> whose every call goes over CTP-96 to a bridge host running the real Kubernetes
/// bridge. Errors keep their codes; answers are released only after their witness verified.
/// </summary>
public sealed class RemoteClusterClient(ChannelClient client, string name) : IClusterClient
{
    public string Name { get; } = name;

    public Task<ClusterList<NamespaceInfo>> ListNamespacesAsync(ClusterListQuery query, CancellationToken ct)
    {
        KubernetesNames.Validate(query);
        return Call<ClusterList<NamespaceInfo>>(ListNamespaces, "", new ListArgs(null, query), ct);
    }

    public Task<ClusterList<PodInfo>> ListPodsAsync(string ns, ClusterListQuery query, CancellationToken ct)
    {
        KubernetesNames.ValidateNamespace(ns);
        KubernetesNames.Validate(query);
        return Call<ClusterList<PodInfo>>(ListPods, ns, new ListArgs(ns, query), ct);
    }

    public Task<PodInfo> GetPodAsync(string ns, string name, CancellationToken ct) =>
        Call<PodInfo>(GetPod, $"{ns}/{name}", Object(ns, name), ct);

    public async Task<Stream> OpenPodLogsAsync(string ns, string name, PodLogsQuery query, CancellationToken ct)
    {
        KubernetesNames.ValidateNamespace(ns);
        KubernetesNames.ValidateName(name);
        KubernetesNames.Validate(query);
        var call = await client.CallAsync(Request(PodLogs, $"{ns}/{name}", new LogsArgs(ns, name, query)), null, ct).ConfigureAwait(false);
        return new PaddedChunks.Reader(call.Body);
    }

    public Task<ClusterList<DeploymentInfo>> ListDeploymentsAsync(string ns, ClusterListQuery query, CancellationToken ct)
    {
        KubernetesNames.ValidateNamespace(ns);
        KubernetesNames.Validate(query);
        return Call<ClusterList<DeploymentInfo>>(ListDeployments, ns, new ListArgs(ns, query), ct);
    }

    public Task<DeploymentInfo> GetDeploymentAsync(string ns, string name, CancellationToken ct) =>
        Call<DeploymentInfo>(GetDeployment, $"{ns}/{name}", Object(ns, name), ct);

    public Task<DeploymentScale> ScaleDeploymentAsync(string ns, string name, int replicas, CancellationToken ct)
    {
        KubernetesNames.ValidateReplicas(replicas);
        Object(ns, name);
        return Call<DeploymentScale>(Scale, $"{ns}/{name}", new ScaleArgs(ns, name, replicas), ct);
    }

    public Task<DeploymentInfo> RestartDeploymentAsync(string ns, string name, CancellationToken ct) =>
        Call<DeploymentInfo>(Restart, $"{ns}/{name}", Object(ns, name), ct);

    public Task<ClusterList<ClusterEvent>> ListEventsAsync(string ns, ClusterListQuery query, CancellationToken ct)
    {
        KubernetesNames.ValidateNamespace(ns);
        KubernetesNames.Validate(query);
        return Call<ClusterList<ClusterEvent>>(ListEvents, ns, new ListArgs(ns, query), ct);
    }

    static ObjectArgs Object(string ns, string name)
    {
        KubernetesNames.ValidateNamespace(ns);
        KubernetesNames.ValidateName(name);
        return new ObjectArgs(ns, name);
    }

    CallRequest Request(string operation, string target, object? args) => new()
    {
        Id = ChannelRequestContext.RequestId ?? Guid.NewGuid().ToString("N"),
        Family = Family,
        Instance = Name,
        Operation = operation,
        Target = target,
        Args = args is null ? null : CallJson.ToElement(args),
    };

    async Task<T> Call<T>(string operation, string target, object? args, CancellationToken ct)
    {
        await using var call = await client.CallAsync(Request(operation, target, args), null, ct).ConfigureAwait(false);
        return CallJson.FromElement<T>(call.Response.Result);
    }
}
