using Gateway.Channel.Families;
using Gateway.Contracts.ObjectStorage;
using Gateway.Routing;
using Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Storage;

public static class StorageEndpoints
{
    public static IEndpointRouteBuilder MapStorageEndpoints(this IEndpointRouteBuilder app)
    {
        var stores = app.MapGroup("/v1/stores").WithTags("Object storage").NamesBridge<RouteGroupBuilder, IObjectStore>("store");
        stores.MapGet("/", ListStores).WithName("ListStores")
            .RequireGatewayAccess(Operation.Read, "stores").WithSummary("Lists the configured stores with their kind and capabilities.");
        BucketEndpoints.Map(stores);
        ObjectEndpoints.Map(stores);
        return app;
    }

    private static Ok<StoreList> ListStores(BridgeRegistry<IObjectStore> registry) =>
        TypedResults.Ok(new StoreList(registry.All
            .Select(s => new StoreDescription(s.Name, s.Kind, s.Capabilities))
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList()));
}

internal static class BucketEndpoints
{
    public static void Map(RouteGroupBuilder stores)
    {
        stores.MapGet("/{store}/buckets", List).WithName("ListBuckets")
            .RequireGatewayAccess(Operation.Read, "stores/{store}/buckets");
        stores.MapGet("/{store}/buckets/{bucket}", Get).WithName("GetBucket")
            .RequireGatewayAccess(Operation.Read, "stores/{store}/buckets/{bucket}")
            .ProducesProblem(StatusCodes.Status404NotFound);
        stores.MapPut("/{store}/buckets/{bucket}", Create).WithName("CreateBucket")
            .RequireGatewayAccess(Operation.Write, "stores/{store}/buckets/{bucket}")
            .ProducesProblem(StatusCodes.Status409Conflict);
        stores.MapDelete("/{store}/buckets/{bucket}", Delete).WithName("DeleteBucket")
            .RequireGatewayAccess(Operation.Delete, "stores/{store}/buckets/{bucket}")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<Ok<BucketList>> List(string store, BridgeRegistry<IObjectStore> registry, CancellationToken ct) =>
        TypedResults.Ok(new BucketList(await registry.Get(store).ListBucketsAsync(ct)));

    /// <summary>What a created bucket's Location names: 200 while the bucket exists, 404 when it does not.</summary>
    private static async Task<Ok<BucketDescription>> Get(string store, string bucket, BridgeRegistry<IObjectStore> registry, CancellationToken ct)
    {
        var s = registry.Get(store);
        ObjectNames.ValidateBucket(bucket, s.Capabilities);
        await s.RequireBucketAsync(bucket, ct);
        return TypedResults.Ok(new BucketDescription(store, bucket));
    }

    private static async Task<Created> Create(string store, string bucket, BridgeRegistry<IObjectStore> registry, CancellationToken ct)
    {
        var s = registry.Get(store);
        ObjectNames.ValidateBucket(bucket, s.Capabilities);
        await s.CreateBucketAsync(bucket, ct);
        return TypedResults.Created($"/v1/stores/{store}/buckets/{bucket}");
    }

    private static async Task<NoContent> Delete(string store, string bucket, BridgeRegistry<IObjectStore> registry, CancellationToken ct)
    {
        var s = registry.Get(store);
        ObjectNames.ValidateBucket(bucket, s.Capabilities);
        await s.DeleteBucketAsync(bucket, ct);
        return TypedResults.NoContent();
    }
}
