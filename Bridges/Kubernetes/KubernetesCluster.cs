using System.Globalization;
using System.Text.Json;
using Gateway.Bridges.Resilience;
using Gateway.Contracts.Clusters;
using k8s;
using k8s.Models;
using Polly;

namespace Gateway.Bridges.Kubernetes;

/// <summary>
/// <see cref="IClusterClient"/> on the official KubernetesClient. Every API call runs in the instance's resilience
/// pipeline; reads are retried, writes are not (a scale or restart patch is sent once).
/// </summary>
public sealed class KubernetesCluster : IClusterClient, IDisposable
{
    readonly k8s.Kubernetes _client;
    readonly ResiliencePipeline _pipeline;
    readonly TimeProvider _time;

    /// <param name="config">From a kubeconfig file (<see cref="KubernetesClientConfiguration.BuildConfigFromConfigFile(string, string, string, bool)"/>) or the pod's service account (<see cref="KubernetesClientConfiguration.InClusterConfig"/>).</param>
    public KubernetesCluster(string name, KubernetesClientConfiguration config, ResiliencePipeline? pipeline = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        // The API server never redirects an API call: a redirect is a proxy's (to its login page, say), answered as what it
        // is (502, KubernetesErrors), and not followed, so no request, certificate or token goes to where it points.
        var setup = config.FirstMessageHandlerSetup;
        config.FirstMessageHandlerSetup = handler =>
        {
            setup?.Invoke(handler);
            handler.AllowAutoRedirect = false;
        };
        _client = new k8s.Kubernetes(config, new AnswerSizeLimit(name));
        _pipeline = pipeline ?? ResiliencePipeline.Empty;
        _time = time ?? TimeProvider.System;
    }

    public string Name { get; }

    public Task<ClusterList<NamespaceInfo>> ListNamespacesAsync(ClusterListQuery query, CancellationToken ct)
    {
        KubernetesNames.Validate(query);
        return ListAsync(c => _client.CoreV1.ListNamespaceAsync(labelSelector: query.LabelSelector, fieldSelector: query.FieldSelector, limit: query.PageSize,
            continueParameter: query.Continue, cancellationToken: c),
            list => KubernetesModels.Items(list.Items, "namespace").Select(KubernetesModels.ToContract), ct);
    }

    public Task<ClusterList<PodInfo>> ListPodsAsync(string ns, ClusterListQuery query, CancellationToken ct)
    {
        KubernetesNames.ValidateNamespace(ns);
        KubernetesNames.Validate(query);
        return ListAsync(c => _client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: query.LabelSelector, fieldSelector: query.FieldSelector, limit: query.PageSize,
            continueParameter: query.Continue, cancellationToken: c),
            list => KubernetesModels.Items(list.Items, "pod").Select(KubernetesModels.ToContract), ct);
    }

    public Task<PodInfo> GetPodAsync(string ns, string name, CancellationToken ct)
    {
        KubernetesNames.ValidateNamespace(ns);
        KubernetesNames.ValidateName(name);
        return RunAsync(async c => KubernetesModels.ToContract(await _client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: c)),
            idempotent: true, ct);
    }

    public Task DeletePodAsync(string ns, string name, int? gracePeriodSeconds, CancellationToken ct)
    {
        KubernetesNames.ValidateNamespace(ns);
        KubernetesNames.ValidateName(name);
        KubernetesNames.ValidateGracePeriod(gracePeriodSeconds);
        // Not retried: a repeated delete of a pod already gone would answer 404 for a delete that worked. The DeleteOptions
        // body is what keeps it so below the pipeline too: .NET's HTTP handler sends a request without a body again when
        // its pooled connection drops before an answer, and sent a bodiless delete up to four times.
        return RunAsync(c => _client.CoreV1.DeleteNamespacedPodAsync(name, ns, new k8s.Models.V1DeleteOptions { GracePeriodSeconds = gracePeriodSeconds },
                gracePeriodSeconds: gracePeriodSeconds, cancellationToken: c),
            idempotent: false, ct);
    }

    public Task<Stream> OpenPodLogsAsync(string ns, string name, PodLogsQuery query, CancellationToken ct)
    {
        KubernetesNames.ValidateNamespace(ns);
        KubernetesNames.ValidateName(name);
        KubernetesNames.Validate(query);
        // Only the opening runs in the pipeline; the body is read by the caller as the API server sends it.
        return RunAsync(async c =>
        {
            var answer = await _client.CoreV1.ReadNamespacedPodLogWithHttpMessagesAsync(name, ns, container: query.Container,
                follow: query.Follow ? true : null, previous: query.Previous ? true : null, sinceSeconds: query.SinceSeconds,
                tailLines: query.TailLines, timestamps: query.Timestamps ? true : null, cancellationToken: ct).ConfigureAwait(false);
            return PlainText(answer.Response) ? answer.Body : throw Discard(answer.Response, "not a log (text/plain)");
        }, idempotent: true, ct);
    }

    /// <summary>
    /// A log is text/plain. A proxy's HTML page or a JSON document on the log endpoint is not the API, and was passed on
    /// as a 200 log; an answer with no media type is taken as the API server's.
    /// </summary>
    static bool PlainText(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType is not { } type || type.Equals("text/plain", StringComparison.OrdinalIgnoreCase);

    static NotTheApiException Discard(HttpResponseMessage response, string what)
    {
        response.Dispose();
        return new NotTheApiException(what);
    }

    public Task<ClusterList<DeploymentInfo>> ListDeploymentsAsync(string ns, ClusterListQuery query, CancellationToken ct)
    {
        KubernetesNames.ValidateNamespace(ns);
        KubernetesNames.Validate(query);
        return ListAsync(c => _client.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: query.LabelSelector, fieldSelector: query.FieldSelector, limit: query.PageSize,
            continueParameter: query.Continue, cancellationToken: c),
            list => KubernetesModels.Items(list.Items, "deployment").Select(KubernetesModels.ToContract), ct);
    }

    public Task<DeploymentInfo> GetDeploymentAsync(string ns, string name, CancellationToken ct)
    {
        KubernetesNames.ValidateNamespace(ns);
        KubernetesNames.ValidateName(name);
        return RunAsync(async c => KubernetesModels.ToContract(await _client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: c)),
            idempotent: true, ct);
    }

    public Task<DeploymentScale> ScaleDeploymentAsync(string ns, string name, int replicas, CancellationToken ct)
    {
        KubernetesNames.ValidateNamespace(ns);
        KubernetesNames.ValidateName(name);
        KubernetesNames.ValidateReplicas(replicas);
        var patch = new V1Patch(JsonSerializer.Serialize(new { spec = new { replicas } }), V1Patch.PatchType.MergePatch);
        return RunAsync(async c => KubernetesModels.ToContract(await _client.AppsV1.PatchNamespacedDeploymentScaleAsync(patch, name, ns, cancellationToken: c)),
            idempotent: false, ct);
    }

    public Task<DeploymentInfo> RestartDeploymentAsync(string ns, string name, CancellationToken ct)
    {
        KubernetesNames.ValidateNamespace(ns);
        KubernetesNames.ValidateName(name);
        // The same strategic merge patch kubectl sends: a new template annotation makes the controller roll pods.
        var restartedAt = _time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture).Replace("+00:00", "Z");
        var body = new Dictionary<string, object>
        {
            ["spec"] = new Dictionary<string, object>
            {
                ["template"] = new Dictionary<string, object>
                {
                    ["metadata"] = new Dictionary<string, object>
                    {
                        ["annotations"] = new Dictionary<string, string> { [KubernetesModels.RestartedAtAnnotation] = restartedAt },
                    },
                },
            },
        };
        var patch = new V1Patch(JsonSerializer.Serialize(body), V1Patch.PatchType.StrategicMergePatch);
        return RunAsync(async c => KubernetesModels.ToContract(await _client.AppsV1.PatchNamespacedDeploymentAsync(patch, name, ns, cancellationToken: c)),
            idempotent: false, ct);
    }

    public Task<ClusterList<ClusterEvent>> ListEventsAsync(string ns, ClusterListQuery query, CancellationToken ct)
    {
        KubernetesNames.ValidateNamespace(ns);
        KubernetesNames.Validate(query);
        return ListAsync(c => _client.CoreV1.ListNamespacedEventAsync(ns, labelSelector: query.LabelSelector, fieldSelector: query.FieldSelector, limit: query.PageSize,
            continueParameter: query.Continue, cancellationToken: c),
            list => KubernetesModels.Items(list.Items, "event").Select(KubernetesModels.ToContract), ct);
    }

    /// <summary>A list call: one page of the API server's items as the contract's, with its continue token.</summary>
    Task<ClusterList<T>> ListAsync<TList, T>(Func<CancellationToken, Task<TList>> fetch, Func<TList, IEnumerable<T>> items, CancellationToken ct)
        where TList : IMetadata<V1ListMeta> =>
        RunAsync(async c =>
        {
            // A null body (the JSON `null`) is not the API's answer either.
            var list = await fetch(c) ?? throw new NotTheApiException("null where a list belongs");
            var next = list.Metadata?.ContinueProperty;
            return new ClusterList<T>(items(list).ToList(), string.IsNullOrEmpty(next) ? null : next);
        }, idempotent: true, ct);

    async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, bool idempotent, CancellationToken ct)
    {
        return await _pipeline.ExecuteCallAsync(async c =>
        {
            try
            {
                return await call(c).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !c.IsCancellationRequested)
            {
                throw KubernetesErrors.Translate(e, Name);
            }
        }, idempotent, ct).ConfigureAwait(false);
    }

    public void Dispose() => _client.Dispose();
}
