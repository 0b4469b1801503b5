using System.Net;
using Gateway.Contracts.Errors;
using Google;

namespace Gateway.Bridges.Gcs;

/// <summary>Google.Cloud.Storage.V1 failures → gateway error codes. Messages name the store and operation, never credentials.</summary>
static class GcsErrors
{
    /// <summary>The gateway error for a failure of an SDK call, or null when it is not one to translate (cancellation).</summary>
    public static GatewayException? Translate(Exception e, string store, string operation)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
            if (inner is GatewayException gateway) return gateway;
        return e switch
        {
            GoogleApiException api => FromApi(api, store, operation),
            HttpRequestException or IOException => new GatewayException(ErrorCode.Unavailable, $"GCS store '{store}': {operation}: the service could not be reached.", e),
            _ => null,
        };
    }

    static GatewayException FromApi(GoogleApiException e, string store, string operation)
    {
        var status = e.HttpStatusCode;
        var reason = e.Error?.Errors is { Count: > 0 } errors ? errors[0].Reason : null;
        var message = e.Error?.Message;
        var code = status switch
        {
            HttpStatusCode.NotFound => ErrorCode.NotFound,
            HttpStatusCode.NotModified => ErrorCode.NotModified,
            HttpStatusCode.Conflict => ErrorCode.Conflict,
            HttpStatusCode.PreconditionFailed => ErrorCode.PreconditionFailed,
            HttpStatusCode.RequestedRangeNotSatisfiable => ErrorCode.RangeNotSatisfiable,
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ErrorCode.Forbidden,
            HttpStatusCode.TooManyRequests => ErrorCode.Throttled,
            HttpStatusCode.RequestTimeout => ErrorCode.Timeout,
            HttpStatusCode.RequestEntityTooLarge => ErrorCode.PayloadTooLarge,
            HttpStatusCode.NotImplemented => ErrorCode.NotSupported,
            HttpStatusCode.BadRequest when message?.Contains("MD5", StringComparison.OrdinalIgnoreCase) == true
                || message?.Contains("crc32c", StringComparison.OrdinalIgnoreCase) == true => ErrorCode.BadDigest,
            >= HttpStatusCode.InternalServerError => ErrorCode.Unavailable,
            // A redirect (the JSON API gives none; it is not followed) or a status it does not give: not the caller's fault.
            >= HttpStatusCode.MultipleChoices and < HttpStatusCode.BadRequest => PlatformStatus.Unexpected((int)status),
            _ => ErrorCode.BadRequest,
        };
        if (code == ErrorCode.BadGateway) return PlatformStatus.Unusable($"GCS store '{store}'", (int)status, string.IsNullOrEmpty(message) ? null : message, e);
        var what = code == ErrorCode.NotFound ? "not found" : reason ?? $"HTTP {(int)status}";
        return new GatewayException(code, $"GCS store '{store}': {operation}: {what}.", e);
    }
}
