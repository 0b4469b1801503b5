namespace Gateway.Contracts.ObjectStorage;

/// <summary>
/// <see cref="IObjectStore.ReplaceMetadataAsync"/> for a store whose only way to change metadata is to copy the object
/// onto itself (S3, GCS, the local store's in-file trailer): pinned to the version read, so a replaced object fails the
/// copy instead of getting the new metadata.
/// </summary>
public static class MetadataByCopy
{
    public static async Task<ObjectInfo> ReplaceMetadataByCopyAsync(this IObjectStore store, string bucket, string key,
        IReadOnlyDictionary<string, string> metadata, ObjectConditions conditions, CancellationToken ct)
    {
        var current = await store.HeadObjectAsync(bucket, key, ObjectConditions.None, ct).ConfigureAwait(false);
        Preconditions.Check(current, conditions, isRead: false);
        return await store.CopyObjectAsync(CopyObjectRequest.ReplacingMetadata(bucket, key, current, metadata), ct).ConfigureAwait(false);
    }
}
