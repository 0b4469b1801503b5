using Gateway.Channel.Rpc;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Families.ObjectStorage;

/// <summary>The "object-storage" family: every <see cref="IObjectStore"/> operation, declared once.</summary>
public static class ObjectStorageFamily
{
    public static BridgeFamily<IObjectStore> Declaration { get; } = new("object-storage", "store",
    [
        new("list-buckets", nameof(IObjectStore.ListBucketsAsync)) { Idempotent = true },
        new("create-bucket", nameof(IObjectStore.CreateBucketAsync)) { Target = a => a.Join("bucket") },
        new("delete-bucket", nameof(IObjectStore.DeleteBucketAsync)) { Idempotent = true, Target = a => a.Join("bucket") },
        new("list-objects", nameof(IObjectStore.ListObjectsAsync)) { Idempotent = true, Target = a => a.Join("bucket") },
        new("head-object", nameof(IObjectStore.HeadObjectAsync)) { Idempotent = true, Target = a => a.Join("bucket", "key") },
        new("get-object", nameof(IObjectStore.GetObjectAsync)) { Idempotent = true, ResponseBody = ResponseBody.Sized, Target = a => a.Join("bucket", "key") },
        new("put-object", nameof(IObjectStore.PutObjectAsync)) { Idempotent = true, RequestBody = true, Target = a => a.Join("bucket", "key") },
        new("delete-object", nameof(IObjectStore.DeleteObjectAsync)) { Idempotent = true, Target = a => a.Join("bucket", "key") },
        new("copy-object", nameof(IObjectStore.CopyObjectAsync))
        {
            Idempotent = true,
            Target = a => a.Get<CopyObjectRequest>("request") is var r ? $"{r.SourceBucket}/{r.SourceKey} -> {r.TargetBucket}/{r.TargetKey}" : "",
        },
    ],
    codecs: [new ObjectContentCodec()],
    checks:
    [
        ArgumentCheck.Named("bucket", ObjectNames.ValidateBucket),
        ArgumentCheck.Named("key", ObjectNames.ValidateKey),
        ArgumentCheck.Of<ListObjectsRequest>(r => ObjectNames.ValidatePrefix(r.Prefix)),
        ArgumentCheck.Of<CopyObjectRequest>(r =>
        {
            ObjectNames.ValidateBucket(r.SourceBucket);
            ObjectNames.ValidateKey(r.SourceKey);
            ObjectNames.ValidateBucket(r.TargetBucket);
            ObjectNames.ValidateKey(r.TargetKey);
        }),
    ])
    {
        ValidateInstanceName = ObjectNames.ValidateStore,
    };

    /// <summary>An object's facts travel as JSON, its bytes as the body.</summary>
    private sealed class ObjectContentCodec : BodyCodec<ObjectContent, ObjectContentCodec.Facts>
    {
        public sealed record Facts(ObjectInfo Info, long Offset, long Length, bool IsPartial);

        public override (Facts Meta, Stream? Body) Split(ObjectContent value) =>
            (new Facts(value.Info, value.Offset, value.Length, value.IsPartial), value.Body);

        public override ObjectContent Join(Facts meta, Stream? body, IAsyncDisposable? owner) =>
            new(meta.Info, body ?? Stream.Null, meta.Offset, meta.Length, meta.IsPartial);
    }
}
