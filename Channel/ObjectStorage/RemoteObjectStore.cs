using Gateway.Channel.Rpc;
using Gateway.Contracts.ObjectStorage;
using static Gateway.Channel.ObjectStorage.ObjectStoreCalls;

namespace Gateway.Channel.ObjectStorage;

/// <summary>
/// An <see cref="IObjectStore"/> whose every method is a CTP-96 call to a bridge host running the real store.
/// Gateway errors come back with their codes unchanged; nothing is returned before its witness verified, and a
/// streamed GET body throws rather than ends if the witness at its end fails.
/// </summary>
public sealed class RemoteObjectStore(ChannelClient client, string name, string kind, StoreCapabilities capabilities) : IObjectStore
{
    public string Name { get; } = name;
    public string Kind { get; } = kind;
    public StoreCapabilities Capabilities { get; } = capabilities;

    /// <summary>Asks the bridge host for the store's kind and capabilities.</summary>
    public static async Task<RemoteObjectStore> ConnectAsync(ChannelClient client, string name, CancellationToken ct)
    {
        var description = await CallAsync<StoreDescription>(client, name, Describe, "", (object?)null, ct).ConfigureAwait(false);
        return new RemoteObjectStore(client, name, description.Kind, description.Capabilities);
    }

    public Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct) =>
        Call<IReadOnlyList<BucketInfo>>(ListBuckets, "", null, ct);

    public Task CreateBucketAsync(string bucket, CancellationToken ct) => CallVoid(CreateBucket, bucket, new BucketArgs(bucket), ct);

    public Task DeleteBucketAsync(string bucket, CancellationToken ct) => CallVoid(DeleteBucket, bucket, new BucketArgs(bucket), ct);

    public Task<ObjectListing> ListObjectsAsync(string bucket, ListObjectsRequest request, CancellationToken ct) =>
        Call<ObjectListing>(ListObjects, bucket, new ListObjectsArgs(bucket, request), ct);

    public Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct) =>
        Call<ObjectInfo>(HeadObject, bucket + "/" + key, new ObjectArgs(bucket, key, conditions), ct);

    public async Task<ObjectContent> GetObjectAsync(string bucket, string key, GetObjectOptions options, CancellationToken ct)
    {
        var request = Request(GetObject, bucket + "/" + key, new GetObjectArgs(bucket, key, options));
        var call = await client.CallAsync(request, null, ct).ConfigureAwait(false);
        try
        {
            var result = CallJson.FromElement<GetObjectResult>(call.Response.Result);
            return new ObjectContent(result.Info, call.Body, result.Offset, result.Length, result.IsPartial);
        }
        catch
        {
            await call.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream content, PutObjectOptions options, CancellationToken ct)
    {
        var request = Request(PutObject, bucket + "/" + key, new PutObjectArgs(bucket, key, options));
        await using var call = await client.CallAsync(request, content, ct).ConfigureAwait(false);
        return CallJson.FromElement<ObjectInfo>(call.Response.Result);
    }

    public Task DeleteObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct) =>
        CallVoid(DeleteObject, bucket + "/" + key, new ObjectArgs(bucket, key, conditions), ct);

    public Task<ObjectInfo> CopyObjectAsync(CopyObjectRequest request, CancellationToken ct) =>
        Call<ObjectInfo>(CopyObject, $"{request.SourceBucket}/{request.SourceKey} -> {request.TargetBucket}/{request.TargetKey}", request, ct);

    private CallRequest Request(string operation, string target, object? args) => new()
    {
        Id = ChannelRequestContext.NextCallId(),
        Family = Family,
        Instance = Name,
        Operation = operation,
        Target = target,
        Args = args is null ? null : CallJson.ToElement(args),
    };

    private Task<T> Call<T>(string operation, string target, object? args, CancellationToken ct) =>
        CallAsync<T>(client, Name, operation, target, args, ct);

    private async Task CallVoid(string operation, string target, object? args, CancellationToken ct)
    {
        await using var call = await client.CallAsync(Request(operation, target, args), null, ct).ConfigureAwait(false);
    }

    private static async Task<T> CallAsync<T>(ChannelClient client, string store, string operation, string target, object? args, CancellationToken ct)
    {
        var request = new CallRequest
        {
            Id = ChannelRequestContext.NextCallId(),
            Family = Family,
            Instance = store,
            Operation = operation,
            Target = target,
            Args = args is null ? null : CallJson.ToElement(args),
        };
        await using var call = await client.CallAsync(request, null, ct).ConfigureAwait(false);
        return CallJson.FromElement<T>(call.Response.Result);
    }
}
