using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Net.Http.Headers;

namespace Gateway.Storage;

/// <summary>
/// If-Unmodified-Since and If-Modified-Since (RFC 9110 §13.1.3-4, evaluated in the order of §13.2.2). The stores take
/// entity tags only, so a date is turned into one: If-Unmodified-Since that holds becomes If-Match on the ETag of the
/// version it was checked against, so a write or read never acts on a version the date did not cover. A value that is not an
/// HTTP date is ignored, as the RFC says; so is either header behind its entity-tag counterpart (If-Match, If-None-Match).
/// </summary>
internal static class DateConditions
{
    public static async Task<ObjectConditions> ApplyUnmodifiedSinceAsync(IObjectStore store, string bucket, string key, ObjectConditions conditions,
        HttpRequest request, CancellationToken ct)
    {
        if (conditions.IfMatch is not null || Date(request.Headers.IfUnmodifiedSince) is not { } date) return conditions;
        ObjectInfo current;
        try { current = await store.HeadObjectAsync(bucket, key, ObjectConditions.None, ct); }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { return conditions; } // no modification date: ignored (§13.1.4)
        if (WholeSeconds(current.LastModified) > date)
            throw new GatewayException(ErrorCode.PreconditionFailed, "If-Unmodified-Since: the object was modified after that date.");
        return conditions with { IfMatch = [current.ETag] };
    }

    /// <summary>If-Modified-Since on a GET or HEAD: true when the object has not changed since the date (answer 304).</summary>
    public static bool NotModifiedSince(HttpRequest request, ObjectConditions conditions, ObjectInfo current) =>
        conditions.IfNoneMatch is null && Date(request.Headers.IfModifiedSince) is { } date && WholeSeconds(current.LastModified) <= date;

    /// <summary>HTTP dates have whole seconds: a Last-Modified of 10:00:00.7 is sent, and compared, as 10:00:00.</summary>
    public static DateTimeOffset WholeSeconds(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerSecond));
    }

    private static DateTimeOffset? Date(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 1 && HeaderUtilities.TryParseDate(values[0], out var date) ? date : null;
}
