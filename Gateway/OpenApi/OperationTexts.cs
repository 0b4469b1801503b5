namespace Gateway.OpenApi;

/// <summary>
/// Operation ids and summaries for endpoints mapped without them, kept here so the document is complete
/// (Redocly's operation-summary rule fails the lint test when one is missing).
/// </summary>
internal static class OperationTexts
{
    private static readonly Dictionary<string, string> Ids = new(StringComparer.Ordinal)
    {
        ["GET /v1/audit"] = "ListAuditEntries",
        ["GET /v1/witnesses/{requestId}"] = "GetWitnesses",
    };

    private static readonly Dictionary<string, string> Summaries = new(StringComparer.Ordinal)
    {
        ["ListBuckets"] = "Lists the buckets of a store.",
        ["GetBucket"] = "Whether a bucket exists: its store and name, or 404 (what a created bucket's Location names).",
        ["CreateBucket"] = "Creates a bucket (409 when it exists).",
        ["DeleteBucket"] = "Deletes an empty bucket (409 when it is not empty).",
        ["GetObject"] = "Streams an object, or one byte range of it (If-Range: only while its ETag or date still names the object, else the whole); conditional with If-Match / If-None-Match / If-Unmodified-Since / If-Modified-Since.",
        ["HeadObject"] = "An object's headers (ETag, size, type, metadata, checksums) without its body; conditional as GET is.",
        ["PutObject"] = "Uploads an object, streamed; atomic, conditional, checked against Content-MD5 when given.",
        ["DeleteObject"] = "Deletes an object (204 also when it was already gone); conditional with If-Match / If-Unmodified-Since.",
        ["GetDockerVersion"] = "The Docker engine's version.",
        ["GetDockerInfo"] = "Facts about the Docker engine.",
        ["CreateContainer"] = "Creates a container (409 when the name is taken).",
        ["InspectContainer"] = "One container's details.",
        ["RemoveContainer"] = "Removes a container.",
        ["StartContainer"] = "Starts a container ({\"changed\":false} when it was running).",
        ["StopContainer"] = "Stops a container ({\"changed\":false} when it was stopped).",
        ["RestartContainer"] = "Restarts a container.",
        ["ListImages"] = "Lists the engine's images.",
        ["ListNamespaces"] = "Lists the cluster's namespaces.",
        ["GetPod"] = "One pod's details.",
        ["ListDeployments"] = "Lists the deployments of a namespace.",
        ["GetDeployment"] = "One deployment's details (replicas, images, restartedAt).",
        ["ListEvents"] = "Lists the events of a namespace.",
        ["ListAuditEntries"] = "Pages through the audit log.",
        ["GetWitnesses"] = "The witnesses of one request.",
    };

    private static readonly Dictionary<string, string> Tags = new(StringComparer.Ordinal)
    {
        ["audit"] = "The hash-chained audit log of verified CTP-96 witnesses.",
        ["Bridges"] = "Every bridge instance with its kind, health and circuit state.",
        ["REST upstreams"] = "Calls forwarded to configured in-house REST services.",
        ["Object storage"] = "One object-storage API over local, S3, Azure Blob and GCS stores.",
        ["Docker"] = "Containers and images on configured Docker hosts.",
        ["Kubernetes"] = "Namespaces, pods, deployments and events on configured clusters.",
    };

    public static string? OperationId(string method, string path) => Ids.GetValueOrDefault($"{method} {path}");

    public static string? Summary(string? operationId) => operationId is null ? null : Summaries.GetValueOrDefault(operationId);

    public static string TagDescription(string tag) => Tags.GetValueOrDefault(tag, $"Operations of the {tag} feature.");
}
