using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Hosting;
using Gateway.Channel.Families;
using Gateway.Storage;
using Microsoft.Extensions.Options;

namespace Gateway.S3Api.Stores;

/// <summary>One S3 bucket resolved to a gateway store and that store's bucket.</summary>
public sealed record S3BucketTarget(IObjectStore Store, string StoreName, string Bucket, string S3Bucket)
{
    public string BucketResource => $"stores/{StoreName}/buckets/{Bucket}";
    public string ObjectResource(string key) => $"stores/{StoreName}/buckets/{Bucket}/objects/{key}";
}

/// <summary>
/// The front door's only link to the gateway's store registry: it hands out the same channel-backed stores the REST
/// facade uses, so every call is witnessed and audited. Bucket namespace: with <c>Gateway:S3:Store</c> set, S3 buckets
/// are that store's buckets; otherwise an S3 bucket is named <c>store--bucket</c>.
/// </summary>
public sealed class S3StoreAdapter(BridgeRegistry<IObjectStore> registry, IOptions<S3Options> options)
{
    public const string Separator = "--";

    public string? SingleStore => string.IsNullOrEmpty(options.Value.Store) ? null : options.Value.Store;

    /// <summary>The stores whose buckets ListBuckets shows.</summary>
    public IReadOnlyList<IObjectStore> Stores => SingleStore is { } name ? [Get(name)] : registry.All.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();

    public S3BucketTarget Resolve(string s3Bucket)
    {
        string storeName, bucket;
        if (SingleStore is { } single) (storeName, bucket) = (single, s3Bucket);
        else
        {
            var at = s3Bucket.IndexOf(Separator, StringComparison.Ordinal);
            if (at <= 0) throw S3Errors.InvalidBucketName($"Bucket names here are '<store>{Separator}<bucket>'.");
            (storeName, bucket) = (s3Bucket[..at], s3Bucket[(at + Separator.Length)..]);
        }
        try { ObjectNames.ValidateBucket(bucket); }
        catch (GatewayException e) { throw S3Errors.InvalidBucketName(e.Message); }
        var store = Get(storeName);
        if (!ObjectNames.CanHold(store.Capabilities, bucket))
            throw S3Errors.InvalidBucketName(ObjectNames.CannotHoldDots);
        return new S3BucketTarget(store, storeName, bucket, s3Bucket);
    }

    /// <summary>The S3 name of a store's bucket.</summary>
    public string S3Name(IObjectStore store, string bucket) => SingleStore is null ? store.Name + Separator + bucket : bucket;

    private IObjectStore Get(string name)
    {
        try { return registry.Get(name); }
        catch (GatewayException) { throw S3Errors.NoSuchBucket(); }
    }

    /// <summary>The configured store must exist; checked at start.</summary>
    public void Validate()
    {
        if (SingleStore is { } name && !registry.All.Any(s => s.Name == name))
            throw new OptionsValidationException(S3Options.Section, typeof(S3Options), [$"Gateway:S3:Store names '{name}', which is not a configured store (Gateway:Stores)."]);
    }
}
