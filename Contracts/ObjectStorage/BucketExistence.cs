using Gateway.Contracts.Errors;

namespace Gateway.Contracts.ObjectStorage;

/// <summary>The store contract has no "bucket exists" call of its own: a one-object listing answers it (not-found when it does not).</summary>
public static class BucketExistence
{
    public static async Task<bool> BucketExistsAsync(this IObjectStore store, string bucket, CancellationToken ct)
    {
        try
        {
            await store.RequireBucketAsync(bucket, ct).ConfigureAwait(false);
            return true;
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { return false; }
    }

    /// <summary>Throws the store's own not-found (its words: a missing bucket, no such store on a bridge host) when the bucket cannot be listed.</summary>
    public static Task RequireBucketAsync(this IObjectStore store, string bucket, CancellationToken ct) =>
        store.ListObjectsAsync(bucket, new ListObjectsRequest { PageSize = 1 }, ct);
}
