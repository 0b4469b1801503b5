using Gateway.Channel.Families;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.Hosting;
using Gateway.Problems;
using Gateway.Routing;
using Gateway.Security;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Gateway.Storage;

internal static class ObjectEndpoints
{
    private const string ObjectRoute = "/{store}/buckets/{bucket}/objects/{**key}";
    private const string ObjectResource = "stores/{store}/buckets/{bucket}/objects/{**key}";

    public static void Map(RouteGroupBuilder stores)
    {
        stores.MapGet("/{store}/buckets/{bucket}/objects", List).WithName("ListObjects")
            .RequireGatewayAccess(Operation.Read, "stores/{store}/buckets/{bucket}/objects/{?prefix}", prefix: true)
            .WithSummary("Lists objects, a page at a time; with a delimiter, keys sharing a prefix up to it are rolled into commonPrefixes.");
        stores.MapGet(ObjectRoute, Get).WithName("GetObject")
            .RequireGatewayAccess(Operation.Read, ObjectResource).WithoutRequestTimeout().RefusesVersionSelectors()
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .Produces(StatusCodes.Status206PartialContent, contentType: "application/octet-stream")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status416RangeNotSatisfiable);
        stores.MapMethods(ObjectRoute, [HttpMethods.Head], Head).WithName("HeadObject")
            .RequireGatewayAccess(Operation.Read, ObjectResource).RefusesVersionSelectors();
        stores.MapPut(ObjectRoute, Put).WithName("PutObject")
            .RequireGatewayAccess(Operation.Write, ObjectResource).WithoutRequestTimeout().RefusesVersionSelectors().TakesAnyBody()
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // Any media type is accepted and stored as the object's Content-Type, so no Accepts<> filter (it would 415).
                operation.RequestBody = new Microsoft.OpenApi.OpenApiRequestBody
                {
                    Required = true,
                    Description = "The object's bytes, streamed. Content-Type, Content-MD5, x-meta-*, If-Match, If-None-Match and If-Unmodified-Since apply; Cache-Control, Content-Disposition, Content-Encoding, Content-Language and Expires are kept with the object and answered on GET and HEAD.",
                    Content = new Dictionary<string, Microsoft.OpenApi.OpenApiMediaType>
                    {
                        ["*/*"] = new() { Schema = new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.String, Format = "binary" } },
                    },
                };
                return Task.CompletedTask;
            })
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        stores.MapDelete(ObjectRoute, Delete).WithName("DeleteObject")
            .RequireGatewayAccess(Operation.Delete, ObjectResource).RefusesVersionSelectors();
        stores.MapPost("/{store}/copy", Copy).WithName("CopyObject")
            .RequireGatewayAccess<RouteHandlerBuilder, CopyObjectBody>("read on the source object, write on the target object", CopyAccess,
                new AccessRequirement(Operation.Read, "stores/{store}/", Prefix: true), new AccessRequirement(Operation.Write, "stores/{store}/", Prefix: true))
            .WithoutRequestTimeout()
            .WithSummary("Server-side copy of an object within a store.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
    }

    private static async Task<Ok<ObjectListing>> List(string store, string bucket, BridgeRegistry<IObjectStore> registry, PageTokenSealer tokens, CancellationToken ct,
        string? prefix = null, string? delimiter = null, int? pageSize = null, string? pageToken = null)
    {
        var s = registry.Get(store);
        ObjectNames.ValidateBucket(bucket, s.Capabilities);
        FieldErrors.Named("prefix", () => ObjectNames.ValidatePrefix(prefix));
        if (pageSize is < 1 or > 1000) throw new GatewayException(ErrorCode.BadRequest, "pageSize must be between 1 and 1000.");
        ObjectNames.ValidateDelimiter(delimiter);
        if (pageToken is { Length: > 4096 }) throw new GatewayException(ErrorCode.BadRequest, "pageToken is too long.");
        prefix = string.IsNullOrEmpty(prefix) ? null : prefix;
        delimiter = string.IsNullOrEmpty(delimiter) ? null : delimiter;
        var storeToken = string.IsNullOrEmpty(pageToken) ? null : tokens.Open(store, bucket, prefix, delimiter, pageToken);
        var listing = await s.ListObjectsAsync(bucket, new ListObjectsRequest
        {
            Prefix = prefix,
            Delimiter = delimiter,
            PageSize = pageSize ?? 1000,
            PageToken = storeToken,
        }, ct);
        return TypedResults.Ok(listing.NextPageToken is { } next
            ? listing with { NextPageToken = tokens.Seal(store, bucket, prefix, delimiter, next) }
            : listing);
    }

    private static async Task<IResult> Get(string store, string bucket, string? key, HttpContext context, BridgeRegistry<IObjectStore> registry, CancellationToken ct)
    {
        var s = registry.Get(store);
        ObjectNames.ValidateBucket(bucket, s.Capabilities);
        key = ObjectHttp.ReadKey(context, key);
        try
        {
            var request = context.Request;
            var conditions = await DateConditions.ApplyUnmodifiedSinceAsync(s, bucket, key, ObjectHttp.ReadConditions(request), request, ct);
            var range = ObjectHttp.ReadRange(request);
            var content = range is not null && request.Headers.ContainsKey(HeaderNames.IfRange)
                ? await GetIfRangeAsync(s, bucket, key, conditions, range, request, ct)
                : await s.GetObjectAsync(bucket, key, new GetObjectOptions { Conditions = conditions, Range = range }, ct);
            if (DateConditions.NotModifiedSince(request, conditions, content.Info))
            {
                await content.DisposeAsync();
                return NotModified(context, Preconditions.NotModified(content.Info));
            }
            return new ObjectContentResult(content, headOnly: false);
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotModified)
        {
            return NotModified(context, e);
        }
        catch (GatewayException e) when (e.Code == ErrorCode.RangeNotSatisfiable && context.Request.Headers.ContainsKey(HeaderNames.IfModifiedSince))
        {
            // If-Modified-Since comes before the Range (RFC 9110 §13.2.2): an unchanged object is a 304, not a 416.
            var conditions = ObjectHttp.ReadConditions(context.Request);
            var info = await s.HeadObjectAsync(bucket, key, conditions, ct);
            if (DateConditions.NotModifiedSince(context.Request, conditions, info)) return NotModified(context, Preconditions.NotModified(info));
            throw;
        }
    }

    /// <summary>
    /// If-Range (RFC 9110 §13.1.5): the range only while the client's validator still names the object, else the whole
    /// object, so a resumed download never splices bytes of two versions. The range is read under If-Match on the ETag just
    /// compared; an object replaced in between fails that and is served whole.
    /// </summary>
    private static async Task<ObjectContent> GetIfRangeAsync(IObjectStore s, string bucket, string key, ObjectConditions conditions, ByteRange range,
        HttpRequest request, CancellationToken ct)
    {
        var current = await s.HeadObjectAsync(bucket, key, conditions, ct);
        if (ObjectHttp.IfRangeHolds(request, current))
        {
            try
            {
                return await s.GetObjectAsync(bucket, key, new GetObjectOptions
                {
                    Conditions = conditions with { IfMatch = [current.ETag] },
                    Range = range,
                }, ct);
            }
            catch (GatewayException e) when (e.Code == ErrorCode.PreconditionFailed) { }
        }
        return await s.GetObjectAsync(bucket, key, new GetObjectOptions { Conditions = conditions }, ct);
    }

    private static async Task<IResult> Head(string store, string bucket, string? key, HttpContext context, BridgeRegistry<IObjectStore> registry, CancellationToken ct)
    {
        var s = registry.Get(store);
        ObjectNames.ValidateBucket(bucket, s.Capabilities);
        key = ObjectHttp.ReadKey(context, key);
        try
        {
            var conditions = await DateConditions.ApplyUnmodifiedSinceAsync(s, bucket, key, ObjectHttp.ReadConditions(context.Request), context.Request, ct);
            var info = await s.HeadObjectAsync(bucket, key, conditions, ct);
            if (DateConditions.NotModifiedSince(context.Request, conditions, info)) return NotModified(context, Preconditions.NotModified(info));
            var part = HeadRange(s, store, context.Request, info);
            ObjectHttp.WriteHeaders(context.Response, info);
            context.Response.ContentLength = info.Size;
            if (part is { } p)
            {
                context.Response.StatusCode = StatusCodes.Status206PartialContent;
                context.Response.ContentLength = p.Length;
                context.Response.Headers.ContentRange = $"bytes {p.Offset}-{p.Offset + p.Length - 1}/{info.Size}";
            }
            return TypedResults.Empty;
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotModified)
        {
            return NotModified(context, e);
        }
    }

    /// <summary>
    /// The part a GET with the same Range and If-Range would send (206), so a HEAD answers with the GET's status and
    /// headers (docs/errors.md) as S3 does; null for the whole object. Unsatisfiable is the GET's 416, and a store that
    /// lacks ranged reads refuses it as the GET is refused.
    /// </summary>
    private static (long Offset, long Length)? HeadRange(IObjectStore s, string store, HttpRequest request, ObjectInfo info)
    {
        if (ObjectHttp.ReadRange(request) is not { } range) return null;
        if (!s.Capabilities.Ranges) throw new GatewayException(ErrorCode.NotImplemented, $"The store '{store}' does not support ranged reads.");
        if (request.Headers.ContainsKey(HeaderNames.IfRange) && !ObjectHttp.IfRangeHolds(request, info)) return null;
        return range.Resolve(info.Size) ?? throw new GatewayException(ErrorCode.RangeNotSatisfiable, $"The range is outside the object's {info.Size} bytes.")
        {
            Extensions = new Dictionary<string, object?> { ["size"] = info.Size },
        };
    }

    // Answered here rather than by the exception handler, which strips the headers of error responses.
    private static StatusCodeHttpResult NotModified(HttpContext context, GatewayException e)
    {
        NotModifiedHeaders.Write(context.Response, e.Extensions);
        return TypedResults.StatusCode(StatusCodes.Status304NotModified);
    }

    private static async Task<Ok<ObjectInfo>> Put(string store, string bucket, string? key, HttpContext context,
        BridgeRegistry<IObjectStore> registry, IOptions<GatewayOptions> options, CancellationToken ct)
    {
        var s = registry.Get(store);
        ObjectNames.ValidateBucket(bucket, s.Capabilities);
        key = ObjectHttp.ReadKey(context, key);
        var request = context.Request;
        // A part of a representation must not be stored as the whole of it (RFC 9110 §14.4: a MUST 400).
        if (request.Headers.ContainsKey(HeaderNames.ContentRange))
            throw new GatewayException(ErrorCode.BadRequest, "Content-Range is not taken on a PUT: send the whole object in one request.");
        var body = ObjectBodyLimit.Apply(context, options.Value.Limits.MaxObjectBytes);
        var putOptions = new PutObjectOptions
        {
            ContentType = ObjectHttp.ReadContentType(request),
            Metadata = ObjectHttp.ReadMetadata(request),
            ContentHeaders = ObjectHttp.ReadContentHeaders(request),
            ContentMd5 = ObjectHttp.ReadContentMd5(request),
            ContentLength = request.ContentLength ?? -1,
            Conditions = await DateConditions.ApplyUnmodifiedSinceAsync(s, bucket, key, ObjectHttp.ReadConditions(request), request, ct),
        };
        var info = await s.PutObjectAsync(bucket, key, body, putOptions, ct);
        context.Response.Headers.ETag = info.ETag;
        return TypedResults.Ok(info);
    }

    private static async Task<NoContent> Delete(string store, string bucket, string? key, HttpContext context, BridgeRegistry<IObjectStore> registry, CancellationToken ct)
    {
        var s = registry.Get(store);
        ObjectNames.ValidateBucket(bucket, s.Capabilities);
        key = ObjectHttp.ReadKey(context, key);
        var conditions = await DateConditions.ApplyUnmodifiedSinceAsync(s, bucket, key, ObjectHttp.ReadConditions(context.Request), context.Request, ct);
        await s.DeleteObjectAsync(bucket, key, conditions, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ObjectInfo>> Copy(string store, CopyObjectBody body, HttpContext context, BridgeRegistry<IObjectStore> registry, CancellationToken ct)
    {
        // Before the store: a body that names no objects was admitted by no grant (CopyAccess), so the store's existence is not told.
        if (body.Source is null || body.Target is null)
            throw new GatewayException(ErrorCode.BadRequest, $"{(body.Source is null ? "source" : "target")} is null: source and target are each {{\"bucket\", \"key\"}}.");
        var s = registry.Get(store);
        FieldErrors.Named("source.bucket", () => ObjectNames.ValidateBucket(body.Source.Bucket, s.Capabilities));
        FieldErrors.Named("source.key", () => ObjectNames.ValidateKey(body.Source.Key));
        FieldErrors.Named("target.bucket", () => ObjectNames.ValidateBucket(body.Target.Bucket, s.Capabilities));
        FieldErrors.Named("target.key", () => ObjectNames.ValidateKey(body.Target.Key));
        // As written in the document's enum, as a migration's mode is: "REPLACE" was taken until session 48.
        var directive = body.MetadataDirective switch
        {
            null or "copy" => MetadataDirective.Copy,
            "replace" => MetadataDirective.Replace,
            _ => throw new GatewayException(ErrorCode.BadRequest, "metadataDirective is 'copy' or 'replace' (lower case)."),
        };
        // A copy keeps the source's type, metadata and headers: ones given with it would be dropped without a word.
        // Empty objects are what generated clients send for fields left unset: they ask for nothing.
        if (directive == MetadataDirective.Copy && (body.ContentType is not null || body.Metadata is { Count: > 0 } || ContentHeaders.OrNull(body.ContentHeaders) is not null))
            throw new GatewayException(ErrorCode.BadRequest,
                "contentType, metadata and contentHeaders are used only with \"metadataDirective\":\"replace\" (a copy keeps the source's); give that, or leave them out.");
        var info = await s.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = body.Source.Bucket,
            SourceKey = body.Source.Key,
            TargetBucket = body.Target.Bucket,
            TargetKey = body.Target.Key,
            SourceConditions = new ObjectConditions { IfMatch = ObjectHttp.ParseETags(body.SourceIfMatch, "sourceIfMatch") },
            TargetConditions = new ObjectConditions
            {
                IfMatch = ObjectHttp.ParseETags(body.TargetIfMatch, "targetIfMatch"),
                IfNoneMatch = ObjectHttp.ParseETags(body.TargetIfNoneMatch, "targetIfNoneMatch"),
            },
            MetadataDirective = directive,
            ContentType = ObjectMetadata.ValidateContentType(body.ContentType),
            Metadata = body.Metadata is null ? null : ObjectMetadata.Validate(body.Metadata),
            ContentHeaders = ContentHeaders.OrNull(body.ContentHeaders)?.Validate(),
        }, ct);
        context.Response.Headers.ETag = info.ETag;
        return TypedResults.Ok(info);
    }

    private static IEnumerable<ResourceAccess>? CopyAccess(CopyObjectBody body, HttpContext context)
    {
        if (body.Source is null || body.Target is null) return null; // the handler refuses the body
        var store = context.GetRouteValue("store")?.ToString();
        return
        [
            new(Operation.Read, $"stores/{store}/buckets/{body.Source.Bucket}/objects/{body.Source.Key}"),
            new(Operation.Write, $"stores/{store}/buckets/{body.Target.Bucket}/objects/{body.Target.Key}"),
        ];
    }
}
