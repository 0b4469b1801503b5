namespace Gateway.Contracts.Errors;

/// <summary>The one set of error codes every bridge maps its platform's errors to.</summary>
public enum ErrorCode
{
    BadRequest,
    NotFound,
    Conflict,
    PreconditionFailed,
    NotModified,
    RangeNotSatisfiable,
    BadDigest,
    PayloadTooLarge,
    Throttled,
    Unavailable,
    Forbidden,
    Unauthorized,
    Timeout,
    NotSupported,
    /// <summary>The store's capabilities say it lacks the feature the request needs; the store was not called (501).</summary>
    NotImplemented,
    MethodNotAllowed,
    UnsupportedMediaType,
    WitnessFailed,
    UriTooLong,
    HeadersTooLarge,
    Internal,
    /// <summary>A REST upstream could not be reached or gave no valid HTTP answer (502, as a reverse proxy answers).</summary>
    BadGateway,
}

public static class ErrorCodes
{
    /// <summary>The stable slug used in problem+json <c>type</c> URIs and on the wire.</summary>
    public static string Slug(this ErrorCode code) => code switch
    {
        ErrorCode.BadRequest => "bad-request",
        ErrorCode.NotFound => "not-found",
        ErrorCode.Conflict => "conflict",
        ErrorCode.PreconditionFailed => "precondition-failed",
        ErrorCode.NotModified => "not-modified",
        ErrorCode.RangeNotSatisfiable => "range-not-satisfiable",
        ErrorCode.BadDigest => "bad-digest",
        ErrorCode.PayloadTooLarge => "payload-too-large",
        ErrorCode.Throttled => "throttled",
        ErrorCode.Unavailable => "unavailable",
        ErrorCode.Forbidden => "forbidden",
        ErrorCode.Unauthorized => "unauthorized",
        ErrorCode.Timeout => "timeout",
        ErrorCode.NotSupported => "not-supported",
        ErrorCode.NotImplemented => "not-implemented",
        ErrorCode.MethodNotAllowed => "method-not-allowed",
        ErrorCode.UnsupportedMediaType => "unsupported-media-type",
        ErrorCode.WitnessFailed => "witness-failed",
        ErrorCode.UriTooLong => "uri-too-long",
        ErrorCode.HeadersTooLarge => "headers-too-large",
        ErrorCode.BadGateway => "bad-gateway",
        _ => "internal",
    };

    public static int HttpStatus(this ErrorCode code) => code switch
    {
        ErrorCode.BadRequest => 400,
        ErrorCode.BadDigest => 400,
        ErrorCode.Unauthorized => 401,
        ErrorCode.Forbidden => 403,
        ErrorCode.NotFound => 404,
        ErrorCode.Conflict => 409,
        ErrorCode.PreconditionFailed => 412,
        ErrorCode.NotModified => 304,
        ErrorCode.PayloadTooLarge => 413,
        ErrorCode.RangeNotSatisfiable => 416,
        ErrorCode.Throttled => 429,
        ErrorCode.NotSupported => 501,
        ErrorCode.NotImplemented => 501,
        ErrorCode.MethodNotAllowed => 405,
        ErrorCode.UnsupportedMediaType => 415,
        ErrorCode.WitnessFailed => 502,
        ErrorCode.BadGateway => 502,
        ErrorCode.UriTooLong => 414,
        ErrorCode.HeadersTooLarge => 431,
        ErrorCode.Unavailable => 503,
        ErrorCode.Timeout => 504,
        _ => 500,
    };

    public static bool TryParseSlug(string slug, out ErrorCode code)
    {
        foreach (var c in Enum.GetValues<ErrorCode>())
        {
            if (c.Slug() == slug) { code = c; return true; }
        }
        code = ErrorCode.Internal;
        return false;
    }
}
