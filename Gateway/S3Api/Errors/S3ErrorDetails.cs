namespace Gateway.S3Api.Errors;

/// <summary>
/// The elements S3 adds to an error document about what the request named (botocore hands each to the caller as
/// <c>e.response['Error'][name]</c>): <c>BucketName</c> on a bucket's errors, <c>Key</c> on NoSuchKey, <c>UploadId</c> on
/// NoSuchUpload, <c>Condition</c> on PreconditionFailed, <c>Method</c> and <c>ResourceType</c> on MethodNotAllowed. Only what the
/// request itself says is echoed, never a credential or signature; an element the error already carries is kept as it is.
/// </summary>
public static class S3ErrorDetails
{
    private static readonly HashSet<string> BucketCodes =
    [
        "NoSuchBucket", "BucketAlreadyExists", "BucketAlreadyOwnedByYou", "BucketNotEmpty", "NoSuchTagSet",
        "NoSuchCORSConfiguration", "NoSuchLifecycleConfiguration", "NoSuchWebsiteConfiguration", "NoSuchBucketPolicy",
        "ServerSideEncryptionConfigurationNotFoundError", "ObjectLockConfigurationNotFoundError",
        "NoSuchPublicAccessBlockConfiguration", "OwnershipControlsNotFoundError", "ReplicationConfigurationNotFoundError",
    ];

    /// <summary>S3's <c>Condition</c> names, in the order a GET weighs them: a true If-Match makes If-Unmodified-Since moot.</summary>
    private static readonly string[] Conditions =
    [
        "If-Match", "If-Unmodified-Since", "If-None-Match",
        "x-amz-copy-source-If-Match", "x-amz-copy-source-If-Unmodified-Since",
        "x-amz-copy-source-If-None-Match", "x-amz-copy-source-If-Modified-Since",
    ];

    public static IReadOnlyList<(string Name, string Value)> For(S3Exception error, HttpRequest request, string? bucket, string? key)
    {
        List<(string, string)> details = [.. error.Details];
        void Add(string name, string? value)
        {
            if (value is not null && !details.Exists(d => d.Item1 == name)) details.Add((name, value));
        }
        switch (error.Code)
        {
            case var code when BucketCodes.Contains(code):
                Add("BucketName", bucket);
                break;
            case "NoSuchKey":
                Add("Key", key);
                break;
            case "NoSuchVersion":
                Add("Key", key);
                Add("VersionId", Single(request, "versionId"));
                break;
            case "NoSuchUpload":
                Add("UploadId", Single(request, "uploadId"));
                break;
            case "PreconditionFailed":
                Add("Condition", FailedCondition(request));
                break;
            case "MethodNotAllowed":
                Add("Method", request.Method);
                Add("ResourceType", key is not null ? "OBJECT" : bucket is not null ? "BUCKET" : "SERVICE");
                break;
        }
        return details;
    }

    private static string? Single(HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;

    /// <summary>
    /// The conditional header that failed, when the request lets it be told: the only one present, or a GET's If-Match
    /// (S3 answers 412 for If-Unmodified-Since only when If-Match is absent). Otherwise no Condition rather than a wrong one.
    /// </summary>
    private static string? FailedCondition(HttpRequest request)
    {
        var present = Conditions.Where(c => request.Headers.ContainsKey(c)).ToList();
        if (present.Count == 1) return present[0];
        if (HttpMethods.IsGet(request.Method) && present.SequenceEqual(["If-Match", "If-Unmodified-Since"])) return "If-Match";
        return null;
    }
}
