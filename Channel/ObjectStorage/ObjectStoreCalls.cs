using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.ObjectStorage;

/// <summary>Operation names and JSON argument shapes of the "object-storage" bridge family.</summary>
internal static class ObjectStoreCalls
{
    public const string Family = "object-storage";

    public const string Describe = "describe";
    public const string ListBuckets = "list-buckets";
    public const string CreateBucket = "create-bucket";
    public const string DeleteBucket = "delete-bucket";
    public const string ListObjects = "list-objects";
    public const string HeadObject = "head-object";
    public const string GetObject = "get-object";
    public const string PutObject = "put-object";
    public const string DeleteObject = "delete-object";
    public const string CopyObject = "copy-object";

    public sealed record BucketArgs(string Bucket);
    public sealed record ListObjectsArgs(string Bucket, ListObjectsRequest Request);
    public sealed record ObjectArgs(string Bucket, string Key, ObjectConditions? Conditions);
    public sealed record GetObjectArgs(string Bucket, string Key, GetObjectOptions Options);
    public sealed record PutObjectArgs(string Bucket, string Key, PutObjectOptions Options);

    public sealed record StoreDescription(string Name, string Kind, StoreCapabilities Capabilities);
    public sealed record GetObjectResult(ObjectInfo Info, long Offset, long Length, bool IsPartial);
}
