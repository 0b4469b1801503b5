using Azure;
using Gateway.Contracts.Errors;

namespace Gateway.Bridges.AzureBlob;

/// <summary>Azure Storage error codes → gateway error codes. Messages name the store and operation, never credentials.</summary>
static class AzureErrors
{
    public static GatewayException Translate(RequestFailedException e, string store, string operation)
    {
        var code = e.ErrorCode switch
        {
            "BlobNotFound" or "ContainerNotFound" or "ResourceNotFound" => ErrorCode.NotFound,
            "ContainerAlreadyExists" or "BlobAlreadyExists" or "ContainerBeingDeleted" or "BlobBeingRehydrated"
                or "LeaseIdMissing" or "LeaseAlreadyPresent" or "PendingCopyOperation" or "ResourceAlreadyExists" => ErrorCode.Conflict,
            "ConditionNotMet" or "SourceConditionNotMet" or "TargetConditionNotMet" => ErrorCode.PreconditionFailed,
            "InvalidRange" => ErrorCode.RangeNotSatisfiable,
            "Md5Mismatch" or "Crc64Mismatch" => ErrorCode.BadDigest,
            "RequestBodyTooLarge" or "BlockCountExceedsLimit" => ErrorCode.PayloadTooLarge,
            "ServerBusy" or "TooManyRequests" => ErrorCode.Throttled,
            "AuthenticationFailed" or "AuthorizationFailure" or "AuthorizationPermissionMismatch"
                or "InsufficientAccountPermissions" or "AccountIsDisabled" => ErrorCode.Forbidden,
            "InternalError" or "OperationTimedOut" => ErrorCode.Unavailable,
            _ => e.Status switch
            {
                404 => ErrorCode.NotFound,
                304 => ErrorCode.NotModified,
                409 => ErrorCode.Conflict,
                412 => ErrorCode.PreconditionFailed,
                416 => ErrorCode.RangeNotSatisfiable,
                401 or 403 => ErrorCode.Forbidden,
                413 => ErrorCode.PayloadTooLarge,
                429 => ErrorCode.Throttled,
                408 => ErrorCode.Timeout,
                501 => ErrorCode.NotSupported,
                >= 500 => ErrorCode.Unavailable,
                >= 400 => ErrorCode.BadRequest,
                // A redirect: Blob Storage gives none, and Azure.Core does not follow it.
                >= 300 => PlatformStatus.Unexpected(e.Status),
                // Status 0: no answer at all, the connection failed.
                _ => ErrorCode.Unavailable,
            },
        };
        if (code == ErrorCode.BadGateway) return PlatformStatus.Unusable($"Azure Blob store '{store}'", e.Status, string.IsNullOrEmpty(e.ErrorCode) ? null : e.ErrorCode, e);
        var what = code switch
        {
            ErrorCode.NotFound => "not found",
            _ when e.Status == 0 => "the service could not be reached",
            _ => string.IsNullOrEmpty(e.ErrorCode) ? $"HTTP {e.Status}" : e.ErrorCode,
        };
        return new GatewayException(code, $"Azure Blob store '{store}': {operation}: {what}.", e);
    }

    /// <summary>An error answer the SDK could not read (no XML body, as a bare 5xx has): the platform failed, so 503.</summary>
    public static GatewayException Unreadable(string store, string operation, Exception e) =>
        new(ErrorCode.Unavailable, $"Azure Blob store '{store}': {operation}: the service answered an error without a readable body.", e);
}
