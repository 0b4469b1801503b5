using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Gateway.Contracts.Errors;

namespace Gateway.Bridges.S3;

/// <summary>S3 error codes → gateway error codes. Messages name the store and operation, never credentials.</summary>
static class S3Errors
{
    public static GatewayException Translate(AmazonServiceException e, string store, string operation)
    {
        var errorCode = (e as AmazonS3Exception)?.ErrorCode ?? e.ErrorCode;
        var status = e.StatusCode;
        var code = errorCode switch
        {
            "NoSuchKey" or "NoSuchBucket" or "NoSuchUpload" or "NotFound" => ErrorCode.NotFound,
            "PreconditionFailed" => ErrorCode.PreconditionFailed,
            "InvalidRange" => ErrorCode.RangeNotSatisfiable,
            "BadDigest" or "InvalidDigest" or "XAmzContentSHA256Mismatch" => ErrorCode.BadDigest,
            "EntityTooLarge" => ErrorCode.PayloadTooLarge,
            "SlowDown" or "Throttling" or "ThrottlingException" or "RequestLimitExceeded" or "TooManyRequests" or "RequestThrottled" => ErrorCode.Throttled,
            "AccessDenied" or "AllAccessDisabled" or "AccountProblem" or "InvalidAccessKeyId" or "SignatureDoesNotMatch"
                or "RequestTimeTooSkewed" or "ExpiredToken" or "InvalidToken" => ErrorCode.Forbidden,
            "BucketAlreadyExists" or "BucketAlreadyOwnedByYou" or "BucketNotEmpty" or "OperationAborted" or "ConditionalRequestConflict" => ErrorCode.Conflict,
            "InternalError" or "ServiceUnavailable" => ErrorCode.Unavailable,
            "RequestTimeout" => ErrorCode.Timeout,
            "NotImplemented" => ErrorCode.NotSupported,
            _ => status switch
            {
                HttpStatusCode.NotFound => ErrorCode.NotFound,
                HttpStatusCode.NotModified => ErrorCode.NotModified,
                HttpStatusCode.PreconditionFailed => ErrorCode.PreconditionFailed,
                HttpStatusCode.Conflict => ErrorCode.Conflict,
                HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => ErrorCode.Forbidden,
                HttpStatusCode.RequestedRangeNotSatisfiable => ErrorCode.RangeNotSatisfiable,
                HttpStatusCode.TooManyRequests => ErrorCode.Throttled,
                HttpStatusCode.RequestTimeout => ErrorCode.Timeout,
                HttpStatusCode.NotImplemented => ErrorCode.NotSupported,
                >= HttpStatusCode.InternalServerError => ErrorCode.Unavailable,
                >= HttpStatusCode.BadRequest => ErrorCode.BadRequest,
                // A redirect (PermanentRedirect: the bucket is in another region than the store's; it is not followed).
                >= HttpStatusCode.MultipleChoices => PlatformStatus.Unexpected((int)status),
                // No HTTP answer at all: the connection failed.
                _ when e.InnerException is HttpRequestException or IOException or TimeoutException => ErrorCode.Unavailable,
                _ => ErrorCode.Internal,
            },
        };
        if (code == ErrorCode.BadGateway) return PlatformStatus.Unusable($"S3 store '{store}'", (int)status, string.IsNullOrEmpty(errorCode) ? null : errorCode, e);
        var what = code switch
        {
            ErrorCode.NotFound => "not found",
            ErrorCode.Unavailable when status == 0 => "the service could not be reached",
            _ => string.IsNullOrEmpty(errorCode) ? $"HTTP {(int)status}" : errorCode,
        };
        return new GatewayException(code, $"S3 store '{store}': {operation}: {what}.", e);
    }
}
