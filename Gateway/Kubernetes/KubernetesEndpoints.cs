using Gateway.Channel.Families;
using Gateway.Security;
using Gateway.Contracts.Clusters;
using Gateway.Contracts.Errors;
using Gateway.Routing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Kubernetes;

/// <summary>
/// <c>/v1/kubernetes/{cluster}/...</c>: namespaces, pods (and their logs, streamed as text/plain), deployments
/// (get, scale, rollout restart) and events of each configured cluster. Names are checked before any call.
/// </summary>
public static class KubernetesEndpoints
{
    public static IEndpointRouteBuilder MapKubernetesEndpoints(this IEndpointRouteBuilder app)
    {
        var kube = app.MapGroup("/v1/kubernetes").WithTags("Kubernetes");
        kube.MapGet("/", (BridgeRegistry<IClusterClient> registry) => TypedResults.Ok(new ClusterNameList(registry.Names.Order(StringComparer.Ordinal).ToList())))
            .WithName("ListKubernetesClusters").RequireGatewayAccess(Operation.Read, "kubernetes").WithSummary("Lists the configured Kubernetes clusters.");

        var cluster = kube.MapGroup("/{cluster}").NamesBridge<RouteGroupBuilder, IClusterClient>("cluster")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        cluster.MapGet("/namespaces", ListNamespaces).WithName("ListNamespaces").RequireGatewayAccess(Operation.Read, "kubernetes/{cluster}/namespaces");
        var ns = cluster.MapGroup("/namespaces/{namespace}");
        ns.MapGet("/pods", ListPods).WithName("ListPods").RequireGatewayAccess(Operation.Read, "kubernetes/{cluster}/namespaces/{namespace}/pods").WithSummary("Lists pods; labelSelector as kubectl's -l, e.g. app=web,tier!=cache; fieldSelector as kubectl's --field-selector, e.g. status.phase=Running.");
        ns.MapGet("/pods/{pod}", GetPod).WithName("GetPod").RequireGatewayAccess(Operation.Read, "kubernetes/{cluster}/namespaces/{namespace}/pods/{pod}");
        ns.MapDelete("/pods/{pod}", DeletePod).WithName("DeletePod").RequireGatewayAccess(Operation.Delete, "kubernetes/{cluster}/namespaces/{namespace}/pods/{pod}")
            .WithSummary("Deletes the pod (kubectl delete pod); gracePeriodSeconds 0-86400 overrides the pod's own grace period (0: at once). 404 when it does not exist.");
        ns.MapGet("/pods/{pod}/logs", PodLogs).WithName("GetPodLogs").RequireGatewayAccess(Operation.Read, "kubernetes/{cluster}/namespaces/{namespace}/pods/{pod}").WithoutRequestTimeout()
            .WithSummary("Streams the pod's log as text/plain, as the API server sends it; follow=true keeps streaming.")
            .Produces(StatusCodes.Status200OK, contentType: "text/plain");
        ns.MapGet("/deployments", ListDeployments).WithName("ListDeployments").RequireGatewayAccess(Operation.Read, "kubernetes/{cluster}/namespaces/{namespace}/deployments");
        ns.MapGet("/deployments/{deployment}", GetDeployment).WithName("GetDeployment").RequireGatewayAccess(Operation.Read, "kubernetes/{cluster}/namespaces/{namespace}/deployments/{deployment}");
        ns.MapPut("/deployments/{deployment}/scale", Scale).WithName("ScaleDeployment").RequireGatewayAccess(Operation.Write, "kubernetes/{cluster}/namespaces/{namespace}/deployments/{deployment}")
            .WithSummary("Sets the desired replicas through the scale subresource.").ProducesProblem(StatusCodes.Status409Conflict);
        ns.MapPost("/deployments/{deployment}/restart", Restart).WithName("RestartDeployment").RequireGatewayAccess(Operation.Write, "kubernetes/{cluster}/namespaces/{namespace}/deployments/{deployment}")
            .WithSummary("kubectl rollout restart: stamps the pod template's kubectl.kubernetes.io/restartedAt annotation.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        ns.MapGet("/events", ListEvents).WithName("ListEvents").RequireGatewayAccess(Operation.Read, "kubernetes/{cluster}/namespaces/{namespace}/events");
        return app;
    }

    static ClusterListQuery ListQuery(string? labelSelector, string? fieldSelector, int? limit, string? @continue)
    {
        var query = new ClusterListQuery(labelSelector, limit, @continue, fieldSelector);
        KubernetesNames.Validate(query);
        return query;
    }

    static async Task<Ok<ClusterList<NamespaceInfo>>> ListNamespaces(string cluster, BridgeRegistry<IClusterClient> registry, CancellationToken ct,
        string? labelSelector = null, string? fieldSelector = null, int? limit = null, string? @continue = null)
    {
        var query = ListQuery(labelSelector, fieldSelector, limit, @continue);
        return TypedResults.Ok(await registry.Get(cluster).ListNamespacesAsync(query, ct));
    }

    static async Task<Ok<ClusterList<PodInfo>>> ListPods(string cluster, string @namespace, BridgeRegistry<IClusterClient> registry, CancellationToken ct,
        string? labelSelector = null, string? fieldSelector = null, int? limit = null, string? @continue = null)
    {
        KubernetesNames.ValidateNamespace(@namespace);
        var query = ListQuery(labelSelector, fieldSelector, limit, @continue);
        return TypedResults.Ok(await registry.Get(cluster).ListPodsAsync(@namespace, query, ct));
    }

    static async Task<Ok<PodInfo>> GetPod(string cluster, string @namespace, string pod, BridgeRegistry<IClusterClient> registry, CancellationToken ct)
    {
        KubernetesNames.ValidateNamespace(@namespace);
        KubernetesNames.ValidateName(pod);
        return TypedResults.Ok(await registry.Get(cluster).GetPodAsync(@namespace, pod, ct));
    }

    /// <param name="gracePeriodSeconds">Seconds the pod gets to stop (0: at once); its own terminationGracePeriodSeconds when absent.</param>
    static async Task<NoContent> DeletePod(string cluster, string @namespace, string pod, BridgeRegistry<IClusterClient> registry,
        CancellationToken ct, int? gracePeriodSeconds = null)
    {
        KubernetesNames.ValidateNamespace(@namespace);
        KubernetesNames.ValidateName(pod);
        KubernetesNames.ValidateGracePeriod(gracePeriodSeconds);
        await registry.Get(cluster).DeletePodAsync(@namespace, pod, gracePeriodSeconds, ct);
        return TypedResults.NoContent();
    }

    static async Task PodLogs(HttpContext context, string cluster, string @namespace, string pod, BridgeRegistry<IClusterClient> registry,
        CancellationToken ct, string? container = null, bool? follow = null, int? tailLines = null, bool? timestamps = null,
        int? sinceSeconds = null, bool? previous = null)
    {
        KubernetesNames.ValidateNamespace(@namespace);
        KubernetesNames.ValidateName(pod);
        var query = new PodLogsQuery(container, follow ?? false, tailLines, timestamps ?? false, sinceSeconds, previous ?? false);
        KubernetesNames.Validate(query);
        await using var log = await registry.Get(cluster).OpenPodLogsAsync(@namespace, pod, query, ct);

        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        var body = context.Response.BodyWriter;
        // A log the API server cuts after it began fails the copy: StreamFaultGuard aborts the answer and logs it once.
        while (true)
        {
            var memory = body.GetMemory(16 * 1024);
            var read = await log.ReadAsync(memory, ct);
            if (read == 0) break;
            body.Advance(read);
            // Flush each piece as it comes, so a followed log reaches the caller line by line.
            await body.FlushAsync(ct);
        }
    }

    static async Task<Ok<ClusterList<DeploymentInfo>>> ListDeployments(string cluster, string @namespace, BridgeRegistry<IClusterClient> registry,
        CancellationToken ct, string? labelSelector = null, string? fieldSelector = null, int? limit = null, string? @continue = null)
    {
        KubernetesNames.ValidateNamespace(@namespace);
        var query = ListQuery(labelSelector, fieldSelector, limit, @continue);
        return TypedResults.Ok(await registry.Get(cluster).ListDeploymentsAsync(@namespace, query, ct));
    }

    static async Task<Ok<DeploymentInfo>> GetDeployment(string cluster, string @namespace, string deployment, BridgeRegistry<IClusterClient> registry, CancellationToken ct)
    {
        KubernetesNames.ValidateNamespace(@namespace);
        KubernetesNames.ValidateName(deployment);
        return TypedResults.Ok(await registry.Get(cluster).GetDeploymentAsync(@namespace, deployment, ct));
    }

    static async Task<Ok<DeploymentScale>> Scale(string cluster, string @namespace, string deployment, ScaleRequest request,
        BridgeRegistry<IClusterClient> registry, CancellationToken ct)
    {
        KubernetesNames.ValidateNamespace(@namespace);
        KubernetesNames.ValidateName(deployment);
        if (request is null) throw new GatewayException(ErrorCode.BadRequest, "Send {\"replicas\": N}.");
        KubernetesNames.ValidateReplicas(request.Replicas);
        return TypedResults.Ok(await registry.Get(cluster).ScaleDeploymentAsync(@namespace, deployment, request.Replicas, ct));
    }

    static async Task<Ok<DeploymentInfo>> Restart(string cluster, string @namespace, string deployment, BridgeRegistry<IClusterClient> registry, CancellationToken ct)
    {
        KubernetesNames.ValidateNamespace(@namespace);
        KubernetesNames.ValidateName(deployment);
        return TypedResults.Ok(await registry.Get(cluster).RestartDeploymentAsync(@namespace, deployment, ct));
    }

    static async Task<Ok<ClusterList<ClusterEvent>>> ListEvents(string cluster, string @namespace, BridgeRegistry<IClusterClient> registry,
        CancellationToken ct, string? labelSelector = null, string? fieldSelector = null, int? limit = null, string? @continue = null)
    {
        KubernetesNames.ValidateNamespace(@namespace);
        var query = ListQuery(labelSelector, fieldSelector, limit, @continue);
        return TypedResults.Ok(await registry.Get(cluster).ListEventsAsync(@namespace, query, ct));
    }
}
