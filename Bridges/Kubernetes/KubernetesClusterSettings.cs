using k8s;
using k8s.Exceptions;
using Polly;

namespace Gateway.Bridges.Kubernetes;

/// <summary>How to reach a cluster: a kubeconfig file (optionally one of its contexts) or the pod's service account.</summary>
public sealed record KubernetesClusterSettings(string? KubeConfig = null, string? Context = null, bool InCluster = false)
{
    /// <summary>Builds the client configuration; throws <see cref="InvalidOperationException"/> naming what is wrong.</summary>
    public KubernetesClientConfiguration ToClientConfiguration()
    {
        try
        {
            if (InCluster)
            {
                if (!KubernetesClientConfiguration.IsInCluster())
                    throw new InvalidOperationException("InCluster=true, but this process does not run in a Kubernetes pod (no service account token or KUBERNETES_SERVICE_HOST).");
                return KubernetesClientConfiguration.InClusterConfig();
            }
            if (string.IsNullOrWhiteSpace(KubeConfig))
                throw new InvalidOperationException("Set KubeConfig (a kubeconfig file) or InCluster=true.");
            if (!File.Exists(KubeConfig))
                throw new InvalidOperationException($"The kubeconfig file '{KubeConfig}' does not exist.");
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeConfig, string.IsNullOrEmpty(Context) ? null : Context);
        }
        // Not only KubeConfigException: a file that is not YAML (YamlException), or YAML of another shape, fails in the
        // parser, and the start must still name the setting rather than say "Exception during deserialization".
        catch (Exception e) when (e is KubeConfigException || (e is not InvalidOperationException and not OutOfMemoryException))
        {
            // The kubeconfig's own error text can quote credentials; only say which file and context failed.
            throw new InvalidOperationException($"The kubeconfig '{KubeConfig}' (context '{Context ?? "current"}') could not be used: {e.GetType().Name}.", e);
        }
    }

    public KubernetesCluster CreateCluster(string name, ResiliencePipeline? pipeline = null) =>
        new(name, ToClientConfiguration(), pipeline);
}
