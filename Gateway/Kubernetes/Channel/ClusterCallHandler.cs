using Gateway.Channel;
using System.IO.Pipelines;
using System.Text.Json;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Clusters;
using Gateway.Contracts.Errors;
using static Gateway.Kubernetes.Channel.ClusterCalls;

namespace Gateway.Kubernetes.Channel;

/// <summary>
/// Bridge-host side of the "clusters" family: runs each call on the cluster it names, checking every name again.
/// A pod log goes back as a <see cref="PaddedChunks"/> body, streamed as the API server sends it.
/// </summary>
public sealed class ClusterCallHandler(Func<string, IClusterClient?> clusters) : IChannelCallHandler
{
    public string Family => ClusterCalls.Family;

    public async Task<CallResult> HandleAsync(CallRequest request, Stream requestBody, CancellationToken ct)
    {
        var cluster = clusters(request.Instance) ?? throw new GatewayException(ErrorCode.NotFound, $"This bridge host has no Kubernetes cluster named '{request.Instance}'.");
        try
        {
            return await RunAsync(cluster, request, ct).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            throw new GatewayException(ErrorCode.BadRequest, $"The arguments of '{request.Operation}' are malformed.");
        }
    }

    static async Task<CallResult> RunAsync(IClusterClient cluster, CallRequest request, CancellationToken ct)
    {
        switch (request.Operation)
        {
            case ListNamespaces:
                return Ok(await cluster.ListNamespacesAsync(List(request).Query, ct).ConfigureAwait(false));
            case ListPods:
            {
                var a = NamespacedList(request);
                return Ok(await cluster.ListPodsAsync(a.Namespace!, a.Query, ct).ConfigureAwait(false));
            }
            case GetPod:
            {
                var a = Object(request);
                return Ok(await cluster.GetPodAsync(a.Namespace, a.Name, ct).ConfigureAwait(false));
            }
            case PodLogs:
            {
                var a = Args<LogsArgs>(request);
                KubernetesNames.ValidateNamespace(a.Namespace);
                KubernetesNames.ValidateName(a.Name);
                KubernetesNames.Validate(a.Query);
                var log = await cluster.OpenPodLogsAsync(a.Namespace, a.Name, a.Query, ct).ConfigureAwait(false);
                var pipe = new Pipe();
                var stop = new CancellationTokenSource();
                _ = Task.Run(async () =>
                {
                    Exception? failure = null;
                    try { await PaddedChunks.CopyAsync(log, pipe.Writer.AsStream(leaveOpen: true), stop.Token).ConfigureAwait(false); }
                    catch (Exception e) { failure = e; }
                    finally
                    {
                        await log.DisposeAsync().ConfigureAwait(false);
                        await pipe.Writer.CompleteAsync(failure).ConfigureAwait(false);
                        stop.Dispose();
                    }
                }, CancellationToken.None);
                return new CallResult(null, new CancelOnDisposeStream(pipe.Reader.AsStream(), stop));
            }
            case ListDeployments:
            {
                var a = NamespacedList(request);
                return Ok(await cluster.ListDeploymentsAsync(a.Namespace!, a.Query, ct).ConfigureAwait(false));
            }
            case GetDeployment:
            {
                var a = Object(request);
                return Ok(await cluster.GetDeploymentAsync(a.Namespace, a.Name, ct).ConfigureAwait(false));
            }
            case Scale:
            {
                var a = Args<ScaleArgs>(request);
                KubernetesNames.ValidateNamespace(a.Namespace);
                KubernetesNames.ValidateName(a.Name);
                KubernetesNames.ValidateReplicas(a.Replicas);
                return Ok(await cluster.ScaleDeploymentAsync(a.Namespace, a.Name, a.Replicas, ct).ConfigureAwait(false));
            }
            case Restart:
            {
                var a = Object(request);
                return Ok(await cluster.RestartDeploymentAsync(a.Namespace, a.Name, ct).ConfigureAwait(false));
            }
            case ListEvents:
            {
                var a = NamespacedList(request);
                return Ok(await cluster.ListEventsAsync(a.Namespace!, a.Query, ct).ConfigureAwait(false));
            }
            default:
                throw new GatewayException(ErrorCode.NotSupported, $"The clusters family has no operation '{request.Operation}'.");
        }
    }

    static CallResult Ok<T>(T value) => new(CallJson.ToElement(value));
    static T Args<T>(CallRequest request) => CallJson.FromElement<T>(request.Args);

    static ListArgs List(CallRequest request)
    {
        var a = Args<ListArgs>(request);
        KubernetesNames.Validate(a.Query);
        return a;
    }

    static ListArgs NamespacedList(CallRequest request)
    {
        var a = List(request);
        KubernetesNames.ValidateNamespace(a.Namespace);
        return a;
    }

    static ObjectArgs Object(CallRequest request)
    {
        var a = Args<ObjectArgs>(request);
        KubernetesNames.ValidateNamespace(a.Namespace);
        KubernetesNames.ValidateName(a.Name);
        return a;
    }
}
