using System.Net;
using System.Text.Json;
using Gateway.Contracts.Errors;

namespace Gateway.Bridges.Gcs;

/// <summary>JSON API error answers → gateway error codes. Messages name the store and operation, never credentials.</summary>
static class GcsErrors
{
    public static async Task<GatewayException> FromResponseAsync(HttpResponseMessage response, string store, string operation, CancellationToken ct)
    {
        string? reason = null, message = null;
        try
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (text.StartsWith('{'))
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.TryGetProperty("error", out var error))
                {
                    message = error.TryGetProperty("message", out var m) ? m.GetString() : null;
                    if (error.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
                        && errors[0].TryGetProperty("reason", out var r)) reason = r.GetString();
                }
            }
        }
        catch (JsonException) { }
        var status = response.StatusCode;
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
            _ => ErrorCode.BadRequest,
        };
        var what = code == ErrorCode.NotFound ? "not found" : reason ?? $"HTTP {(int)status}";
        return new GatewayException(code, $"GCS store '{store}': {operation}: {what}.")
        {
            RetryAfterSeconds = response.Headers.RetryAfter?.Delta is { } delta ? (int)Math.Ceiling(delta.TotalSeconds) : null,
        };
    }
}
