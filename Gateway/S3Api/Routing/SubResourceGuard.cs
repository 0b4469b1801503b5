using Gateway.S3Api.Errors;

namespace Gateway.S3Api.Routing;

/// <summary>
/// The sub-resources (value-less query names that select an S3 action, <c>?renameObject</c>) the dispatcher does not route:
/// NotImplemented, before anything is read or written. Without this a write carrying one ran as the plain write of its
/// method: <c>PUT /key?renameObject</c> (RenameObject) was a PutObject of the empty body, emptying the target.
/// </summary>
public static class SubResourceGuard
{
    /// <summary>Sub-resources S3 has and this front door does not build, on a bucket or an object alike.</summary>
    private static readonly string[] Unsupported =
    [
        "policy", "policyStatus", "cors", "lifecycle", "website", "logging", "notification", "replication",
        "encryption", "object-lock", "retention", "legal-hold", "torrent", "restore", "select", "accelerate",
        "requestPayment", "analytics", "inventory", "metrics", "ownershipControls", "publicAccessBlock", "intelligent-tiering",
        "session", "renameObject", "abac", "metadataConfiguration", "metadataTable", "metadataInventoryTable", "metadataJournalTable",
    ];

    /// <summary>Sub-resources S3 has only on a bucket (its API model's bucket URIs): on an object key they select nothing here.</summary>
    private static readonly string[] BucketOnly = ["location", "versioning", "versions", "delete", "list-type"];

    /// <summary>
    /// The value-less names a write may carry: what the dispatcher routes writes by (a bucket DELETE refuses the multipart and
    /// version ones itself: <see cref="S3Dispatcher"/>), and the SDKs' operation hint <c>x-id</c>.
    /// </summary>
    private static readonly string[] RoutedWriteFlags = ["uploads", "uploadId", "partNumber", "versionId", "versions", "delete", "tagging", "acl", "x-id"];

    /// <summary>
    /// Refuses a sub-resource that would otherwise be ignored. On a write (PUT, POST, DELETE) any value-less parameter the
    /// dispatcher does not route is taken for one (an S3 action newer than this front door), so the write does not run as
    /// another; a parameter with a value is ignored there, as S3 ignores parameters it does not know. Reads keep S3's
    /// leniency: only the named sub-resources are refused.
    /// </summary>
    public static void Check(S3Context c)
    {
        var q = c.Request.Query;
        foreach (var name in Unsupported)
            if (q.ContainsKey(name)) throw S3Errors.NotImplemented($"The '{name}' sub-resource");
        if (c.Key is not null && BucketOnly.FirstOrDefault(q.ContainsKey) is { } bucketOnly)
            throw S3Errors.NotImplemented($"The '{bucketOnly}' sub-resource on an object");
        var method = c.Request.Method;
        if (c.S3Bucket is null || HttpMethods.IsGet(method) || HttpMethods.IsHead(method)) return;
        foreach (var (name, value) in q)
            if (value.ToString().Length == 0 && !RoutedWriteFlags.Contains(name) && !IsSignature(name))
                throw S3Errors.NotImplemented($"The '{SingleValuedQuery.Printable(name)}' sub-resource on this {(c.Key is null ? "bucket" : "object")} {method}");
    }

    /// <summary>A presigned URL's own parameters (SigV4's X-Amz-*, SigV2's three) and the headers presigners hoist into the query.</summary>
    private static bool IsSignature(string name) =>
        name is "AWSAccessKeyId" or "Signature" or "Expires" || name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase);
}
