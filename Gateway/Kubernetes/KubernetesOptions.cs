namespace Gateway.Kubernetes;

/// <summary>
/// One cluster, bound from <c>Gateway:Kubernetes:Clusters:{name}</c>: either <see cref="KubeConfig"/> (plus an optional
/// <see cref="Context"/>) or <see cref="InCluster"/>=true for the gateway pod's own service account. Resilience settings
/// sit in the same section under <c>Resilience</c>.
/// </summary>
public sealed class KubernetesClusterOptions
{
    public const string Section = "Gateway:Kubernetes:Clusters";

    /// <summary>Path of a kubeconfig file.</summary>
    public string? KubeConfig { get; set; }

    /// <summary>A context of the kubeconfig; its current-context when absent.</summary>
    public string? Context { get; set; }

    public bool InCluster { get; set; }

    public IReadOnlyList<string> Validate(string clusterName)
    {
        var problems = new List<string>();
        var prefix = $"{Section}:{clusterName}";
        if (InCluster && !string.IsNullOrWhiteSpace(KubeConfig))
            problems.Add($"{prefix}: set either KubeConfig or InCluster=true, not both.");
        else if (!InCluster && string.IsNullOrWhiteSpace(KubeConfig))
            problems.Add($"{prefix}:KubeConfig is required (a kubeconfig file), or set {prefix}:InCluster=true.");
        else if (!InCluster && !File.Exists(KubeConfig))
            problems.Add($"{prefix}:KubeConfig names a file that does not exist: '{KubeConfig}'.");
        return problems;
    }
}
