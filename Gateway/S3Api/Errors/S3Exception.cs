namespace Gateway.S3Api.Errors;

/// <summary>An S3 error answer: S3's error code, HTTP status and a message free of secrets.</summary>
public sealed class S3Exception(string code, int status, string message) : Exception(message)
{
    public string Code { get; } = code;
    public int Status { get; } = status;

    /// <summary>Extra elements of the error document (e.g. Region), written after Message.</summary>
    public IReadOnlyList<(string Name, string Value)> Details { get; init; } = [];

    /// <summary>Response headers the answer carries (also on HEAD and 304, which have no document): e.g. a 304's ETag.</summary>
    public IReadOnlyList<(string Name, string Value)> Headers { get; init; } = [];
}

/// <summary>S3's error codes used by the front door, with their status codes (S3 API reference, "Error responses").</summary>
public static class S3Errors
{
    public static S3Exception AccessDenied(string message = "Access Denied") => new("AccessDenied", 403, message);
    public static S3Exception InvalidAccessKeyId() => new("InvalidAccessKeyId", 403, "The AWS access key Id you provided does not exist in our records.");
    public static S3Exception SignatureDoesNotMatch() => new("SignatureDoesNotMatch", 403,
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
    public static S3Exception AuthorizationHeaderMalformed(string message) => new("AuthorizationHeaderMalformed", 400, message);
    public static S3Exception AuthorizationQueryParametersError(string message) => new("AuthorizationQueryParametersError", 400, message);
    public static S3Exception RequestTimeTooSkewed() => new("RequestTimeTooSkewed", 403,
        "The difference between the request time and the server's time is too large.");
    public static S3Exception ContentSha256Mismatch() => new("XAmzContentSHA256Mismatch", 400,
        "The provided 'x-amz-content-sha256' header does not match what was computed.");
    public static S3Exception InvalidRequest(string message) => new("InvalidRequest", 400, message);
    public static S3Exception InvalidArgument(string message) => new("InvalidArgument", 400, message);
    /// <summary>InvalidArgument naming the header or query parameter refused and its value, as S3 does (ArgumentName, ArgumentValue).</summary>
    public static S3Exception InvalidArgument(string message, string name, string value) =>
        new("InvalidArgument", 400, message) { Details = [("ArgumentName", name), ("ArgumentValue", value)] };
    public static S3Exception KeyTooLong() => new("KeyTooLongError", 400, "Your key is too long");
    public static S3Exception InvalidUri() => new("InvalidURI", 400, "Couldn't parse the specified URI.");
    public static S3Exception InvalidBucketName(string message) => new("InvalidBucketName", 400, message);
    /// <param name="bucket">The bucket to name when it is not the request's own (a copy's source).</param>
    public static S3Exception NoSuchBucket(string? bucket = null) =>
        new("NoSuchBucket", 404, "The specified bucket does not exist.") { Details = bucket is null ? [] : [("BucketName", bucket)] };
    /// <param name="key">The key to name when it is not the request's own (a copy's source).</param>
    public static S3Exception NoSuchKey(string? key = null) =>
        new("NoSuchKey", 404, "The specified key does not exist.") { Details = key is null ? [] : [("Key", key)] };
    public static S3Exception NoSuchUpload() => new("NoSuchUpload", 404,
        "The specified multipart upload does not exist. The upload ID might be invalid, or the upload might have been aborted or completed.");
    public static S3Exception InvalidPart(string message) => new("InvalidPart", 400, message);
    public static S3Exception InvalidPartOrder() => new("InvalidPartOrder", 400, "The list of parts was not in ascending order.");
    public static S3Exception EntityTooSmall() => new("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size.");
    public static S3Exception MalformedXml() => new("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema.");
    public static S3Exception PreconditionFailed() => new("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold.");
    /// <summary>416; with the object's size known, S3's ActualObjectSize and RFC 9110's <c>Content-Range: bytes */size</c>.</summary>
    public static S3Exception InvalidRange(long? size = null) =>
        new("InvalidRange", 416, "The requested range is not satisfiable.")
        {
            Details = size is { } known ? [("ActualObjectSize", known.ToString(System.Globalization.CultureInfo.InvariantCulture))] : [],
            Headers = size is { } k ? [("Content-Range", "bytes */" + k.ToString(System.Globalization.CultureInfo.InvariantCulture))] : [],
        };
    public static S3Exception BadDigest(string message = "The Content-MD5 you specified did not match what we received.") => new("BadDigest", 400, message);
    public static S3Exception InvalidDigest() => new("InvalidDigest", 400, "The Content-MD5 you specified is not valid.");
    public static S3Exception NotImplemented(string what) => new("NotImplemented", 501, $"{what} is not implemented by this gateway's S3 front door.");
    public static S3Exception InvalidStorageClass() => new("InvalidStorageClass", 400, "The storage class you specified is not valid.");
    public static S3Exception MethodNotAllowed() => new("MethodNotAllowed", 405, "The specified method is not allowed against this resource.");
    public static S3Exception MissingContentLength() => new("MissingContentLength", 411, "You must provide the Content-Length HTTP header.");
    public static S3Exception IncompleteBody() => new("IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header.");
    /// <summary>S3's EntityTooLarge; with the sizes when the refusal is made on the declared length (ProposedSize, MaxSizeAllowed).</summary>
    public static S3Exception EntityTooLarge(long? proposed = null, long? max = null) =>
        new("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size")
        {
            Details = proposed is { } p && max is { } m
                ? [("ProposedSize", p.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("MaxSizeAllowed", m.ToString(System.Globalization.CultureInfo.InvariantCulture))]
                : [],
        };
    /// <summary>A CopyObject source, or an UploadPartCopy range, over S3's 5 GiB copy limit (a larger object is copied in ranged part copies).</summary>
    public static S3Exception CopySourceTooLarge() => new("InvalidRequest", 400,
        "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120");
    public static S3Exception InternalError(string message = "We encountered an internal error. Please try again.") => new("InternalError", 500, message);
}
