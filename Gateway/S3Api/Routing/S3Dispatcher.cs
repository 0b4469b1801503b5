using Gateway.Channel.Rpc;
using Gateway.Contracts.Errors;
using Gateway.S3Api.Auth;
using Gateway.S3Api.Errors;
using Gateway.S3Api.Operations;
using Gateway.S3Api.Operations.Acl;
using Gateway.S3Api.Operations.BucketConfig;
using Gateway.S3Api.Operations.Encryption;
using Gateway.S3Api.Operations.ObjectLock;
using Gateway.S3Api.Operations.PostObject;
using Gateway.S3Api.Operations.Tagging;
using Gateway.S3Api.Xml;

namespace Gateway.S3Api.Routing;

/// <summary>
/// The front door's one request handler: addresses the request (path-style or virtual-host), checks its SigV4
/// signature, picks the operation from method and sub-resource, and answers every failure as an S3 XML error.
/// </summary>
public sealed partial class S3Dispatcher(S3Services services, SigV4Verifier verifier, PostObjectOperation postObject)
{
    public async Task InvokeAsync(HttpContext http, string pathBase)
    {
        var requestId = Guid.NewGuid().ToString("N");
        S3ErrorWriter.SetRequestIds(http.Response, requestId);
        ChannelRequestContext.RequestId = requestId;
        string? bucket = null, key = null;
        var addressed = false;
        S3Context? context = null;
        try
        {
            CaseSensitiveQuery.Apply(http);
            RefuseNonAsciiHeaders(http.Request);
            (bucket, key) = S3Addressing.Parse(http.Request, pathBase, services.Options.BaseDomain);
            addressed = true;
            // `head`, `get`, `delete` are other methods than HEAD, GET, DELETE (RFC 9110 §9.1; Kestrel sends a body for `head`),
            // but the HttpMethods checks below ignore case: a signed `head` was a bare 500, a signed `delete` deleted.
            if (Gateway.Routing.CaseSensitiveMethods.IsOtherCaseOfKnown(http.Request.Method)) throw S3Errors.MethodNotAllowed();
            RefuseCaseVariantSubResources(http);
            SingleValuedQuery.Check(http.Request);
            // A browser form upload is signed by its policy, inside the body, not by the request.
            if (PostObjectOperation.IsFormUpload(http.Request, bucket, key))
            {
                await postObject.RunAsync(http, bucket!, requestId, pathBase, started => context = started);
                return;
            }
            if (HttpMethods.IsOptions(http.Request.Method) && bucket is not null) throw CorsPreflight.Refusal(http.Request, key is not null);
            var caller = verifier.Verify(http);
            if (caller.Signature is { Presigned: true }) PresignedQueryHeaders.Apply(http.Request);
            context = new S3Context(http, caller, bucket, key, services) { RequestId = requestId, PathBase = pathBase };
            ExpectedBucketOwner.Check(context);
            await DispatchAsync(context);
        }
        catch (Exception e) when (!http.Response.HasStarted && !(e is OperationCanceledException && http.RequestAborted.IsCancellationRequested))
        {
            var error = await ToS3Async(e, context);
            // A refused request's body may be unread, and with Expect: 100-continue the client never sends it:
            // close the connection so its bytes cannot be taken for the next request.
            if (http.Request.ContentLength > 0 || http.Request.Headers.TransferEncoding.Count > 0) http.Response.Headers.Connection = "close";
            var resource = addressed ? "/" + (bucket ?? "") + (key is null ? "" : "/" + key) : S3Addressing.RequestPath(http.Request, pathBase);
            await S3ErrorWriter.WriteAsync(http, error, resource, requestId,
                S3ErrorDetails.For(error, http.Request, bucket, key));
            // S3 names the bucket's region on every HeadBucket answer but NoSuchBucket's: a HEAD has no body to carry the
            // <Region> of AuthorizationHeaderMalformed, and SDKs (botocore's region redirector) learn the region here.
            if (HttpMethods.IsHead(http.Request.Method) && bucket is not null && key is null && error.Code != "NoSuchBucket")
                http.Response.Headers["x-amz-bucket-region"] = services.Options.Region;
        }
        catch (Exception e) when (http.Response.HasStarted && e is not OperationCanceledException)
        {
            // The body is already on its way: the only honest signal left is to abort, so the client cannot take it as complete.
            LogAbortedResponse(services.Logger, e.GetType().Name);
            http.Abort();
        }
    }

    internal static async Task<S3Exception> ToS3Async(Exception e, S3Context? context)
    {
        if (context?.BodyFailure.Error is { } body) return body;
        switch (e)
        {
            case S3Exception s3: return s3;
            case GatewayException { Code: ErrorCode.NotFound } when context is not null:
                return await NotFoundSafeAsync(context);
            case GatewayException g: return S3ErrorMapping.From(g);
            case Microsoft.AspNetCore.Http.BadHttpRequestException bad when bad.StatusCode == 413: return S3Errors.EntityTooLarge();
            case Microsoft.AspNetCore.Http.BadHttpRequestException: return S3Errors.IncompleteBody();
            case OperationCanceledException: return new S3Exception("RequestTimeout", 400, "The request was cancelled.");
            // The store's body failed at its source before a byte went out (a connection the store cut short): the store
            // is at fault, not the caller or the gateway, so 503 as the REST facade answers it, which clients retry.
            case Gateway.Channel.Framing.ChannelProtocolException or Gateway.Channel.Framing.ChannelStreamResetException:
                return S3ErrorMapping.From(new GatewayException(ErrorCode.Unavailable, "The channel to the bridge host closed before the answer was complete."));
            default:
                if (context is not null) LogUnexpected(context.Services.Logger, e.GetType().Name, e);
                return S3Errors.InternalError();
        }
    }

    private static async Task<S3Exception> NotFoundSafeAsync(S3Context context)
    {
        try { return await context.NotFoundAsync(context.Key is not null); }
        catch (Exception) { return S3Errors.NoSuchKey(); }
    }

    /// <summary>
    /// Under the main listener's path base Kestrel reads header bytes as Latin-1 (so the facade can refuse them as
    /// problem+json); S3 refuses them here, as its own listener's Kestrel would, so no non-ASCII metadata is stored.
    /// </summary>
    private static void RefuseNonAsciiHeaders(HttpRequest request)
    {
        foreach (var (name, values) in request.Headers)
            foreach (var value in values)
                if (value is not null && !System.Text.Ascii.IsValid(value))
                    throw S3Errors.InvalidArgument($"The header '{name}' holds bytes outside US-ASCII.");
    }

    /// <summary>
    /// Query names are case-sensitive in S3, in what SigV2 signs and in the lookups here (<see cref="CaseSensitiveQuery"/>); a
    /// sub-resource's name in another case is still refused rather than ignored (see <see cref="SigV2.CaseVariantSubResource"/>).
    /// </summary>
    private void RefuseCaseVariantSubResources(HttpContext http)
    {
        if (SigV2.CaseVariantSubResource(CanonicalRequest.RawTarget(http.Request).Query) is not { } name) return;
        services.Events.Denied(http, Gateway.Security.SecurityEvent.BadSignature, "query parameter naming a sub-resource in another case");
        throw S3Errors.InvalidArgument($"Query parameter names are case-sensitive: '{SingleValuedQuery.Printable(name)}' is not an S3 sub-resource name.");
    }

    private static Task DispatchAsync(S3Context c)
    {
        var q = c.Request.Query;
        var method = c.Request.Method;
        if (c.S3Bucket is not null && c.Key is null && BucketSubResources.Find(q) is { } sub) return BucketConfigurationOperations.RunAsync(c, sub);
        if (c.Key is not null && ObjectLockRequests.IsObjectSubResource(q)) return ObjectLockRequests.RunAsync(c);
        SubResourceGuard.Check(c);
        if (c.Request.Headers.TryGetValue(KeptStorageClass.Header, out var storageClass) && !KeptStorageClass.Names.Contains(storageClass.ToString()))
            return Task.FromException(S3Errors.InvalidStorageClass());
        if (c.S3Bucket is null)
            return HttpMethods.IsGet(method) ? BucketOperations.ListBucketsAsync(c) : Task.FromException(S3Errors.MethodNotAllowed());
        if (q.ContainsKey("acl"))
        {
            if (c.Key is not null) NullVersion.CheckObjectRequest(c);
            return AclOperations.RunAsync(c);
        }
        if (HttpMethods.IsPut(method) || HttpMethods.IsPost(method)) CannedAcl.Check(c.Request.Headers, bucket: c.Key is null);
        if (c.Key is null)
        {
            if (q.ContainsKey("versions"))
                return HttpMethods.IsGet(method) ? ListVersionsOperation.RunAsync(c) : Task.FromException(S3Errors.MethodNotAllowed());
            if (HttpMethods.IsGet(method))
            {
                if (q.ContainsKey("location")) return BucketOperations.GetLocationAsync(c);
                if (q.ContainsKey("uploads")) return MultipartOperations.ListUploadsAsync(c);
                return ListOperations.ListAsync(c, v2: q["list-type"] == "2");
            }
            if (HttpMethods.IsHead(method)) return BucketOperations.HeadBucketAsync(c);
            if (HttpMethods.IsPut(method))
                return q.Count == 0 || OnlySignature(q) ? BucketOperations.CreateBucketAsync(c) : Task.FromException(S3Errors.NotImplemented("This bucket PUT"));
            if (HttpMethods.IsDelete(method))
                return ForeignToDeleteBucket(q) is { } name
                    ? Task.FromException(S3Errors.InvalidRequest($"The '{name}' parameter does not belong to DeleteBucket; nothing was deleted."))
                    : BucketOperations.DeleteBucketAsync(c);
            if (HttpMethods.IsPost(method) && q.ContainsKey("delete")) return DeleteObjectsOperation.RunAsync(c);
            return Task.FromException(S3Errors.MethodNotAllowed());
        }
        NullVersion.CheckObjectRequest(c);
        ConditionalHeaders.Check(c.Request.Headers);
        if (q.ContainsKey("tagging")) return TaggingAsync(c, method);
        if (HttpMethods.IsGet(method))
        {
            if (q.ContainsKey("uploadId")) return MultipartOperations.ListPartsAsync(c);
            if (q.ContainsKey("attributes")) return ObjectAttributesOperation.RunAsync(c);
            ServerSideEncryption.CheckRead(c.Request);
            return ObjectReadOperations.GetAsync(c);
        }
        if (HttpMethods.IsHead(method))
        {
            ServerSideEncryption.CheckRead(c.Request);
            return ObjectReadOperations.HeadAsync(c);
        }
        if (HttpMethods.IsPut(method))
        {
            if (q.ContainsKey("uploadId") || q.ContainsKey("partNumber"))
            {
                ServerSideEncryption.CheckPart(c.Request);
                return MultipartOperations.UploadPartAsync(c);
            }
            var encryption = ObjectMakingWrite.Check(c);
            if (c.Request.Headers.ContainsKey("x-amz-copy-source")) return CopyOperation.RunAsync(c, encryption);
            return ObjectWriteOperations.PutAsync(c, encryption);
        }
        if (HttpMethods.IsDelete(method))
            return q.ContainsKey("uploadId") ? MultipartOperations.AbortAsync(c) : ObjectWriteOperations.DeleteAsync(c);
        if (HttpMethods.IsPost(method))
        {
            if (q.ContainsKey("uploads")) return MultipartOperations.CreateAsync(c, ObjectMakingWrite.Check(c));
            if (q.ContainsKey("uploadId")) return MultipartOperations.CompleteAsync(c);
            return Task.FromException(S3Errors.NotImplemented("This object POST"));
        }
        return Task.FromException(S3Errors.MethodNotAllowed());
    }

    private static Task TaggingAsync(S3Context c, string method)
    {
        if (HttpMethods.IsGet(method)) return TaggingOperations.GetAsync(c);
        if (HttpMethods.IsPut(method)) return TaggingOperations.PutAsync(c);
        if (HttpMethods.IsDelete(method)) return TaggingOperations.DeleteAsync(c);
        return Task.FromException(S3Errors.MethodNotAllowed());
    }

    // A DELETE of the bucket that carries one of these was meant as another request (an abort with its key lost, a
    // DeleteObjects sent with the wrong method): deleting the bucket instead would be the one irreversible reading of it.
    private static string? ForeignToDeleteBucket(IQueryCollection q) =>
        NotDeleteBucketParameters.FirstOrDefault(q.ContainsKey);

    private static readonly string[] NotDeleteBucketParameters = ["uploadId", "partNumber", "versionId", "uploads", "delete"];

    private static bool OnlySignature(IQueryCollection q) => q.Keys.All(k => k.StartsWith("X-Amz-", StringComparison.Ordinal));

    [LoggerMessage(EventId = 7101, Level = LogLevel.Error, Message = "S3 front door: unexpected {Kind}")]
    private static partial void LogUnexpected(ILogger logger, string kind, Exception e);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "S3 front door: response aborted after it started ({Kind})")]
    private static partial void LogAbortedResponse(ILogger logger, string kind);
}
