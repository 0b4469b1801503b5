using Gateway.Channel.Rpc;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Families.ObjectStorage;

/// <summary>The "object-storage" family: every <see cref="IObjectStore"/> operation, declared once.</summary>
public static class ObjectStorageFamily
{
    public static BridgeFamily<IObjectStore> Declaration { get; } = new("object-storage", "store",
    [
        new("list-buckets", nameof(IObjectStore.ListBucketsAsync)) { Idempotent = true, Unsupported = Needs(c => c.ListBuckets, "listing buckets") },
        new("create-bucket", nameof(IObjectStore.CreateBucketAsync)) { Target = a => a.Join("bucket"), Unsupported = Needs(c => c.CreateBuckets, "creating buckets") },
        new("delete-bucket", nameof(IObjectStore.DeleteBucketAsync)) { Idempotent = true, Target = a => a.Join("bucket"), Unsupported = Needs(c => c.CreateBuckets, "deleting buckets") },
        new("list-objects", nameof(IObjectStore.ListObjectsAsync)) { Idempotent = true, Target = a => a.Join("bucket") },
        new("head-object", nameof(IObjectStore.HeadObjectAsync))
        {
            Idempotent = true, Target = a => a.Join("bucket", "key"),
            Unsupported = Lacks((c, a) => Conditions(c, a.Get<ObjectConditions>("conditions"))),
        },
        new("get-object", nameof(IObjectStore.GetObjectAsync))
        {
            Idempotent = true, ResponseBody = ResponseBody.Sized, Target = a => a.Join("bucket", "key"),
            Unsupported = Lacks((c, a) => Need(c.Ranges || a.Get<GetObjectOptions>("options").Range is null, "ranged reads")
                ?? Conditions(c, a.Get<GetObjectOptions>("options").Conditions)),
        },
        new("put-object", nameof(IObjectStore.PutObjectAsync))
        {
            Idempotent = true, RequestBody = true, Target = a => a.Join("bucket", "key"),
            Unsupported = Lacks((c, a) => Need(c.UserMetadata || a.Get<PutObjectOptions>("options").Metadata.Count == 0, "user metadata")
                ?? Conditions(c, a.Get<PutObjectOptions>("options").Conditions, write: true)),
        },
        new("delete-object", nameof(IObjectStore.DeleteObjectAsync))
        {
            Idempotent = true, Target = a => a.Join("bucket", "key"),
            Unsupported = Lacks((c, a) => Conditions(c, a.Get<ObjectConditions>("conditions"))),
        },
        new("copy-object", nameof(IObjectStore.CopyObjectAsync))
        {
            Idempotent = true,
            Target = a => a.Get<CopyObjectRequest>("request") is var r ? $"{r.SourceBucket}/{r.SourceKey} -> {r.TargetBucket}/{r.TargetKey}" : "",
            Unsupported = Lacks((c, a) => a.Get<CopyObjectRequest>("request") is var r ? Need(c.ServerSideCopy, "server-side copy")
                ?? Need(c.UserMetadata || r.Metadata is not { Count: > 0 }, "user metadata")
                ?? Conditions(c, r.SourceConditions) ?? Conditions(c, r.TargetConditions, write: true) : null),
        },
        new("replace-metadata", nameof(IObjectStore.ReplaceMetadataAsync))
        {
            Idempotent = true, Target = a => a.Join("bucket", "key"),
            Unsupported = Lacks((c, a) => Need(c.UserMetadata, "user metadata") ?? Conditions(c, a.Get<ObjectConditions>("conditions"), write: true)),
        },
        new("start-multipart-upload", nameof(IObjectStore.StartMultipartUploadAsync))
        {
            Target = a => a.Join("bucket", "key"),
            Unsupported = Lacks((c, a) => Need(c.MultipartUploads, "multipart uploads")
                ?? Need(c.UserMetadata || a.Get<MultipartUploadOptions>("options").Metadata.Count == 0, "user metadata")),
        },
        new("upload-part", nameof(IObjectStore.UploadPartAsync))
        {
            // Sending a part again replaces it: the same part twice is the part once.
            Idempotent = true, RequestBody = true, Target = a => $"{a["bucket"]}/{a["key"]} part {a["partNumber"]}",
            Unsupported = Needs(c => c.MultipartUploads, "multipart uploads"),
        },
        new("list-parts", nameof(IObjectStore.ListPartsAsync))
        {
            Idempotent = true, Target = a => a.Join("bucket", "key"),
            Unsupported = Needs(c => c.MultipartUploads, "multipart uploads"),
        },
        new("complete-multipart-upload", nameof(IObjectStore.CompleteMultipartUploadAsync))
        {
            Target = a => a.Join("bucket", "key"),
            Unsupported = Lacks((c, a) => a.Get<CompleteUploadRequest>("request") is var r ? Need(c.MultipartUploads, "multipart uploads")
                ?? Need(c.UserMetadata || r.Metadata is not { Count: > 0 }, "user metadata") ?? Conditions(c, r.Conditions, write: true) : null),
        },
        new("abort-multipart-upload", nameof(IObjectStore.AbortMultipartUploadAsync))
        {
            Idempotent = true, Target = a => a.Join("bucket", "key"),
            Unsupported = Needs(c => c.MultipartUploads, "multipart uploads"),
        },
    ],
    codecs: [new ObjectContentCodec()],
    checks:
    [
        ArgumentCheck.Named("bucket", ObjectNames.ValidateBucket),
        ArgumentCheck.Named("key", ObjectNames.ValidateKey),
        ArgumentCheck.Of<ListObjectsRequest>(r => ObjectNames.ValidatePrefix(r.Prefix)),
        ArgumentCheck.Named("uploadId", MultipartNames.ValidateUploadId),
        ArgumentCheck.Named("partNumber", MultipartNames.ValidatePartNumber),
        ArgumentCheck.Of<CompleteUploadRequest>(r => r.Validate()),
        ArgumentCheck.Of<PutObjectOptions>(o => o.ContentHeaders?.Validate()),
        ArgumentCheck.Of<MultipartUploadOptions>(o => o.ContentHeaders?.Validate()),
        ArgumentCheck.Of<CopyObjectRequest>(r =>
        {
            r.ContentHeaders?.Validate();
            ObjectNames.ValidateBucket(r.SourceBucket);
            ObjectNames.ValidateKey(r.SourceKey);
            ObjectNames.ValidateBucket(r.TargetBucket);
            ObjectNames.ValidateKey(r.TargetKey);
        }),
    ])
    {
        ValidateInstanceName = ObjectNames.ValidateStore,
    };

    /// <summary>What a store lacks for a call (from its capabilities and the call's arguments), or null when it can run it.</summary>
    private static Func<object, CallArguments, string?> Lacks(Func<StoreCapabilities, CallArguments, string?> check) =>
        (store, a) => check(((IObjectStore)store).Capabilities, a);

    private static Func<object, CallArguments, string?> Needs(Func<StoreCapabilities, bool> has, string feature) =>
        Lacks((c, _) => Need(has(c), feature));

    private static string? Need(bool has, string feature) => has ? null : feature;

    /// <summary>If-Match / If-None-Match need ConditionalRequests; on a write, If-None-Match: * alone needs CreateOnly.</summary>
    private static string? Conditions(StoreCapabilities c, ObjectConditions conditions, bool write = false) =>
        conditions.IsEmpty ? null
        : write && conditions.IfMatch is null && conditions.IfNoneMatch is ["*"] ? Need(c.CreateOnly, "create-only writes (If-None-Match: *)")
        : Need(c.ConditionalRequests, "conditional requests (If-Match, If-None-Match)");

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
