using System.Text.Json;
using Gateway.Channel.Rpc;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using static Gateway.Channel.ObjectStorage.ObjectStoreCalls;

namespace Gateway.Channel.ObjectStorage;

/// <summary>Bridge-host side of the "object-storage" family: runs each call on the real store it names.</summary>
public sealed class ObjectStoreCallHandler(Func<string, IObjectStore?> stores) : IChannelCallHandler
{
    public string Family => ObjectStoreCalls.Family;

    public async Task<CallResult> HandleAsync(CallRequest request, Stream requestBody, CancellationToken ct)
    {
        var store = stores(request.Instance) ?? throw new GatewayException(ErrorCode.NotFound, $"This bridge host has no store named '{request.Instance}'.");
        try
        {
            return await RunAsync(store, request, requestBody, ct).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            throw new GatewayException(ErrorCode.BadRequest, $"The arguments of '{request.Operation}' are malformed.");
        }
    }

    private static async Task<CallResult> RunAsync(IObjectStore store, CallRequest request, Stream body, CancellationToken ct)
    {
        switch (request.Operation)
        {
            case Describe:
                return Ok(new StoreDescription(store.Name, store.Kind, store.Capabilities));
            case ListBuckets:
                return Ok(await store.ListBucketsAsync(ct).ConfigureAwait(false));
            case CreateBucket:
            {
                var a = Args<BucketArgs>(request);
                ObjectNames.ValidateBucket(a.Bucket);
                await store.CreateBucketAsync(a.Bucket, ct).ConfigureAwait(false);
                return new CallResult(null);
            }
            case DeleteBucket:
            {
                var a = Args<BucketArgs>(request);
                ObjectNames.ValidateBucket(a.Bucket);
                await store.DeleteBucketAsync(a.Bucket, ct).ConfigureAwait(false);
                return new CallResult(null);
            }
            case ListObjects:
            {
                var a = Args<ListObjectsArgs>(request);
                ObjectNames.ValidateBucket(a.Bucket);
                ObjectNames.ValidatePrefix(a.Request.Prefix);
                return Ok(await store.ListObjectsAsync(a.Bucket, a.Request, ct).ConfigureAwait(false));
            }
            case HeadObject:
            {
                var a = ObjectTarget<ObjectArgs>(request, x => (x.Bucket, x.Key));
                return Ok(await store.HeadObjectAsync(a.Bucket, a.Key, a.Conditions ?? ObjectConditions.None, ct).ConfigureAwait(false));
            }
            case GetObject:
            {
                var a = ObjectTarget<GetObjectArgs>(request, x => (x.Bucket, x.Key));
                var content = await store.GetObjectAsync(a.Bucket, a.Key, a.Options, ct).ConfigureAwait(false);
                return new CallResult(CallJson.ToElement(new GetObjectResult(content.Info, content.Offset, content.Length, content.IsPartial)), content.Body);
            }
            case PutObject:
            {
                var a = ObjectTarget<PutObjectArgs>(request, x => (x.Bucket, x.Key));
                return Ok(await store.PutObjectAsync(a.Bucket, a.Key, body, a.Options, ct).ConfigureAwait(false));
            }
            case DeleteObject:
            {
                var a = ObjectTarget<ObjectArgs>(request, x => (x.Bucket, x.Key));
                await store.DeleteObjectAsync(a.Bucket, a.Key, a.Conditions ?? ObjectConditions.None, ct).ConfigureAwait(false);
                return new CallResult(null);
            }
            case CopyObject:
            {
                var a = Args<CopyObjectRequest>(request);
                ObjectNames.ValidateBucket(a.SourceBucket);
                ObjectNames.ValidateKey(a.SourceKey);
                ObjectNames.ValidateBucket(a.TargetBucket);
                ObjectNames.ValidateKey(a.TargetKey);
                return Ok(await store.CopyObjectAsync(a, ct).ConfigureAwait(false));
            }
            default:
                throw new GatewayException(ErrorCode.NotSupported, $"Unknown object-storage operation '{request.Operation}'.");
        }
    }

    private static CallResult Ok<T>(T value) => new(CallJson.ToElement(value));

    private static T Args<T>(CallRequest request) => CallJson.FromElement<T>(request.Args);

    private static T ObjectTarget<T>(CallRequest request, Func<T, (string Bucket, string Key)> names)
    {
        var a = Args<T>(request);
        var (bucket, key) = names(a);
        ObjectNames.ValidateBucket(bucket);
        ObjectNames.ValidateKey(key);
        return a;
    }
}
