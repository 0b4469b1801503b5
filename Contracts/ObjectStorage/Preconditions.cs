using Gateway.Contracts.Errors;

namespace Gateway.Contracts.ObjectStorage;

/// <summary>RFC 9110 §13 evaluation shared by stores that check conditions themselves.</summary>
public static class Preconditions
{
    /// <summary>Throws PreconditionFailed / NotModified as RFC 9110 orders them; <paramref name="current"/> is null when missing.</summary>
    public static void Check(ObjectInfo? current, ObjectConditions conditions, bool isRead)
    {
        if (conditions.IfMatch is { } ifMatch)
        {
            if (current is null || !MatchesStrong(current.ETag, ifMatch))
                throw new GatewayException(ErrorCode.PreconditionFailed, "If-Match did not match the current object.");
        }
        if (conditions.IfNoneMatch is { } ifNoneMatch && current is not null && Matches(current.ETag, ifNoneMatch))
        {
            if (isRead)
                throw NotModified(current);
            throw new GatewayException(ErrorCode.PreconditionFailed, "If-None-Match matched an existing object.");
        }
    }

    /// <summary>
    /// A 304 with what a 200 would have carried for caches to refresh (RFC 9110 §15.4.5): the ETag, Cache-Control and
    /// Expires, as extensions the facade turns back into headers.
    /// </summary>
    public static GatewayException NotModified(ObjectInfo current)
    {
        var extensions = new Dictionary<string, object?> { ["etag"] = current.ETag };
        if (current.ContentHeaders?.CacheControl is { } cacheControl) extensions["cacheControl"] = cacheControl;
        if (current.ContentHeaders?.Expires is { } expires) extensions["expires"] = expires;
        return new GatewayException(ErrorCode.NotModified, "The object has not changed.") { Extensions = extensions };
    }

    /// <summary>
    /// A read of <paramref name="current"/> (null when the object is missing): the object when the conditions hold, else
    /// PreconditionFailed / NotModified; a missing object is PreconditionFailed under If-Match, else <paramref name="notFound"/>.
    /// </summary>
    public static ObjectInfo CheckRead(ObjectInfo? current, ObjectConditions conditions, Func<Exception> notFound)
    {
        if (current is null)
        {
            if (conditions.IfMatch is not null) Check(null, conditions, isRead: true);
            throw notFound();
        }
        Check(current, conditions, isRead: true);
        return current;
    }

    /// <summary>If-None-Match: weak comparison (RFC 9110 §13.1.2), so W/"x" matches "x".</summary>
    public static bool Matches(string etag, IReadOnlyList<string> candidates)
    {
        var bare = Normalize(etag);
        foreach (var c in candidates)
        {
            if (c == "*" || Normalize(c) == bare) return true;
        }
        return false;
    }

    /// <summary>If-Match: strong comparison (RFC 9110 §13.1.1): a weak tag on either side never matches.</summary>
    public static bool MatchesStrong(string etag, IReadOnlyList<string> candidates)
    {
        foreach (var c in candidates)
        {
            if (c == "*") return true;
            if (IsWeak(c) || IsWeak(etag)) continue;
            if (Normalize(c) == Normalize(etag)) return true;
        }
        return false;
    }

    private static bool IsWeak(string etag) => etag.TrimStart().StartsWith("W/", StringComparison.Ordinal);

    /// <summary>Weak comparison: W/ prefixes and quotes do not matter.</summary>
    public static string Normalize(string etag)
    {
        var s = etag.Trim();
        if (s.StartsWith("W/", StringComparison.Ordinal)) s = s[2..];
        return s.Trim('"');
    }

    public static string Quote(string etag) => etag.StartsWith('"') || etag.StartsWith("W/", StringComparison.Ordinal) ? etag : $"\"{etag}\"";
}
