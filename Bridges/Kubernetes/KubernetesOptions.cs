using Gateway.Bridges.Resilience;
using Gateway.Contracts.Clusters;
using Gateway.Contracts.Errors;
using Microsoft.Extensions.Options;

namespace Gateway.Bridges.Kubernetes;

/// <summary>The Kubernetes clusters, bound from <c>Gateway:Kubernetes</c> (<c>Clusters:{name}</c>).</summary>
public sealed class KubernetesOptions
{
    public const string Section = "Gateway:Kubernetes";
    public const string ClustersSection = Section + ":Clusters";

    public Dictionary<string, KubernetesClusterOptions> Clusters { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// One cluster: either <see cref="KubeConfig"/> (plus an optional <see cref="Context"/>) or <see cref="InCluster"/>=true
/// for the gateway pod's own service account. Resilience settings sit in the same section under <c>Resilience</c>.
/// </summary>
public sealed class KubernetesClusterOptions
{
    /// <summary>Path of a kubeconfig file.</summary>
    public string? KubeConfig { get; set; }

    /// <summary>A context of the kubeconfig; its current-context when absent.</summary>
    public string? Context { get; set; }

    public bool InCluster { get; set; }

    public ResilienceOptions Resilience { get; set; } = new();

    public KubernetesClusterSettings Settings => new(KubeConfig, Context, InCluster);
}

/// <summary>Checks every cluster at start (ValidateOnStart), down to loading its kubeconfig; each problem names the setting.</summary>
public sealed class KubernetesOptionsValidator : IValidateOptions<KubernetesOptions>
{
    public ValidateOptionsResult Validate(string? name, KubernetesOptions options)
    {
        var problems = new List<string>();
        foreach (var (cluster, settings) in options.Clusters)
        {
            var prefix = $"{KubernetesOptions.ClustersSection}:{cluster}";
            try { KubernetesNames.ValidateCluster(cluster); }
            catch (GatewayException e) { problems.Add($"{prefix}: {e.Message}"); continue; }
            var found = new List<string>();
            if (settings.InCluster && !string.IsNullOrWhiteSpace(settings.KubeConfig))
                found.Add($"{prefix}: set either KubeConfig or InCluster=true, not both.");
            else if (!settings.InCluster && string.IsNullOrWhiteSpace(settings.KubeConfig))
                found.Add($"{prefix}:KubeConfig is required (a kubeconfig file), or set {prefix}:InCluster=true.");
            else if (!settings.InCluster && !File.Exists(settings.KubeConfig))
                found.Add($"{prefix}:KubeConfig names a file that does not exist: '{settings.KubeConfig}'.");
            found.AddRange(settings.Resilience.Validate().Select(p => $"{prefix}:{p}"));
            if (found.Count == 0)
            {
                try { settings.Settings.ToClientConfiguration(); }
                catch (InvalidOperationException e) { found.Add($"{prefix}: {e.Message}"); }
            }
            problems.AddRange(found);
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
