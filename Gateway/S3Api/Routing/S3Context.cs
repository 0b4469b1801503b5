using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Auth;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Stores;
using Gateway.Security;

namespace Gateway.S3Api.Routing;

/// <summary>One authenticated front-door request: the caller, the addressed bucket and key, and the access check.</summary>
public sealed class S3Context(HttpContext http, S3Caller caller, string? s3Bucket, string? key, S3Services services)
{
    public HttpContext Http { get; } = http;
    public HttpRequest Request => Http.Request;
    public HttpResponse Response => Http.Response;
    public CancellationToken Aborted => Http.RequestAborted;
    public S3Caller Caller { get; } = caller;
    public string? S3Bucket { get; } = s3Bucket;
    public string? Key { get; } = key;
    /// <summary>The owner S3 answers for every bucket and object: the caller (no bucket owners are kept, docs/s3.md).</summary>
    public string OwnerId => Caller.Key.Caller;
    public S3Services Services { get; } = services;
    public BodyFailure BodyFailure { get; } = new();
    public required string RequestId { get; init; }
    /// <summary>The path base the request came through ("" on the front door's own listener).</summary>
    public string PathBase { get; init; } = "";

    /// <summary>The absolute URL of an object of this request's bucket, as S3 names it in a Location.</summary>
    public string ObjectUrl(string key) => S3Addressing.ObjectUrl(Request, PathBase, Services.Options.BaseDomain, S3Bucket ?? "", key);

    private S3BucketTarget? _target;

    /// <summary>The addressed bucket, resolved to its store.</summary>
    public S3BucketTarget Target => _target ??= Services.Stores.Resolve(S3Bucket ?? throw S3Errors.InvalidRequest("A bucket is required."));

    public IObjectStore Store => Target.Store;

    public string RequiredKey => Key ?? throw S3Errors.InvalidRequest("An object key is required.");

    /// <summary>Default deny, as on the REST facade: the caller needs a grant for <paramref name="operation"/> on the resource.</summary>
    public void Require(Operation operation, string resource, bool prefix = false)
    {
        if (!Allows(operation, resource, prefix))
        {
            Services.Events.Denied(Http, SecurityEvent.Forbidden, $"no {operation.Name()} grant for an S3 front-door resource");
            throw S3Errors.AccessDenied();
        }
    }

    public bool Allows(Operation operation, string resource, bool prefix = false) =>
        Services.Access.Allows(Caller.User, new ResourceAccess(operation, resource, prefix));

    /// <summary>Tells a missing bucket from a missing key after a store said NotFound.</summary>
    public async Task<S3Exception> NotFoundAsync(bool forObject)
    {
        if (!forObject) return S3Errors.NoSuchBucket();
        return await BucketExistsAsync() ? S3Errors.NoSuchKey() : S3Errors.NoSuchBucket();
    }

    public Task<bool> BucketExistsAsync() => BucketExistsAsync(Target);

    /// <summary>Whether <paramref name="target"/>'s bucket exists (a copy source's, say), asked of its store.</summary>
    public Task<bool> BucketExistsAsync(S3BucketTarget target) => target.Store.BucketExistsAsync(target.Bucket, Aborted);

    /// <summary>The resource named in error documents: /bucket/key.</summary>
    public string ResourcePath => "/" + (S3Bucket ?? "") + (Key is null ? "" : "/" + Key);
}
