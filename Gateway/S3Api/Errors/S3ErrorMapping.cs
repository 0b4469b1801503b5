using Gateway.Contracts.Errors;

namespace Gateway.S3Api.Errors;

/// <summary>The gateway's error codes as S3 errors. NotFound is told apart (bucket, key, upload) by the operation.</summary>
public static class S3ErrorMapping
{
    public static S3Exception From(GatewayException e, string notFoundCode = "NoSuchKey") => e.Code switch
    {
        ErrorCode.NotFound => notFoundCode switch
        {
            "NoSuchBucket" => S3Errors.NoSuchBucket(),
            "NoSuchUpload" => S3Errors.NoSuchUpload(),
            _ => S3Errors.NoSuchKey(),
        },
        ErrorCode.BadRequest => S3Errors.InvalidArgument(e.Message),
        ErrorCode.Conflict => new S3Exception("OperationAborted", 409, e.Message),
        ErrorCode.PreconditionFailed => S3Errors.PreconditionFailed(),
        ErrorCode.NotModified => new S3Exception("NotModified", 304, "Not Modified") { Headers = NotModifiedHeaders(e) },
        ErrorCode.RangeNotSatisfiable => S3Errors.InvalidRange(e.Extensions?.GetValueOrDefault("size") as long?),
        ErrorCode.BadDigest => S3Errors.BadDigest(),
        ErrorCode.PayloadTooLarge => S3Errors.EntityTooLarge(),
        ErrorCode.Throttled => new S3Exception("SlowDown", 503, "Please reduce your request rate."),
        ErrorCode.Unavailable => new S3Exception("ServiceUnavailable", 503, "The store is unavailable; please retry."),
        ErrorCode.Forbidden or ErrorCode.Unauthorized => S3Errors.AccessDenied(),
        ErrorCode.Timeout => new S3Exception("RequestTimeout", 400, "The store did not answer in time."),
        ErrorCode.NotSupported or ErrorCode.NotImplemented => new S3Exception("NotImplemented", 501, e.Message),
        ErrorCode.MethodNotAllowed => S3Errors.MethodNotAllowed(),
        ErrorCode.WitnessFailed => new S3Exception("InternalError", 502, "The bridge's witness did not verify; the answer was withheld."),
        _ => S3Errors.InternalError(),
    };

    /// <summary>
    /// What a store's 304 names for a cache (Preconditions.NotModified's extensions): ETag, Cache-Control, Expires; a value
    /// another tool stored that no header can carry is left out, as on a 200.
    /// </summary>
    private static (string, string)[] NotModifiedHeaders(GatewayException e)
    {
        List<(string, string)> headers = [];
        foreach (var (extension, header) in new[] { ("etag", "ETag"), ("cacheControl", "Cache-Control"), ("expires", "Expires") })
            if (e.Extensions?.GetValueOrDefault(extension) is string value && Contracts.ObjectStorage.ContentHeaders.IsValidValue(value))
                headers.Add((header, value));
        return [.. headers];
    }
}
