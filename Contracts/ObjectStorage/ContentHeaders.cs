using Gateway.Contracts.Errors;

namespace Gateway.Contracts.ObjectStorage;

/// <summary>
/// The standard HTTP representation headers an object keeps besides its content type: given at upload, answered on
/// every GET and HEAD (as S3 does). Each store keeps them natively where it can (S3 headers, Azure BlobHttpHeaders, GCS
/// object fields, the local store's trailer); Azure and GCS have no Expires field and keep it in reserved metadata.
/// Values are printable US-ASCII without leading or trailing spaces (<see cref="Validate"/>); null when not set.
/// </summary>
public sealed record ContentHeaders
{
    public const int MaxValueLength = 1024;

    public string? CacheControl { get; init; }
    public string? ContentDisposition { get; init; }
    public string? ContentEncoding { get; init; }
    public string? ContentLanguage { get; init; }
    /// <summary>As given (an HTTP date by convention); stored as a string, not parsed.</summary>
    public string? Expires { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => CacheControl is null && ContentDisposition is null && ContentEncoding is null && ContentLanguage is null && Expires is null;

    /// <summary>The header names and values that are set, in a fixed order.</summary>
    public IEnumerable<KeyValuePair<string, string>> Present()
    {
        if (CacheControl is { } cc) yield return new("Cache-Control", cc);
        if (ContentDisposition is { } cd) yield return new("Content-Disposition", cd);
        if (ContentEncoding is { } ce) yield return new("Content-Encoding", ce);
        if (ContentLanguage is { } cl) yield return new("Content-Language", cl);
        if (Expires is { } ex) yield return new("Expires", ex);
    }

    /// <summary>Builds the headers from a lookup by HTTP header name; missing or empty values stay unset; null when none is set.</summary>
    public static ContentHeaders? From(Func<string, string?> header)
    {
        static string? Value(string? v) => string.IsNullOrEmpty(v) ? null : v;
        var result = new ContentHeaders
        {
            CacheControl = Value(header("Cache-Control")),
            ContentDisposition = Value(header("Content-Disposition")),
            ContentEncoding = Value(header("Content-Encoding")),
            ContentLanguage = Value(header("Content-Language")),
            Expires = Value(header("Expires")),
        };
        return result.IsEmpty ? null : result;
    }

    /// <summary>True for a value every store keeps as it is and every HTTP response can carry.</summary>
    public static bool IsValidValue(string value) => value.Length <= MaxValueLength && ObjectMetadata.IsValidValue(value);

    /// <summary>Refuses (BadRequest) a value with control characters, non-ASCII, edge spaces or over <see cref="MaxValueLength"/> characters.</summary>
    public ContentHeaders Validate()
    {
        foreach (var (name, value) in Present())
            if (!IsValidValue(value))
                throw new GatewayException(ErrorCode.BadRequest,
                    $"{name} is not allowed: 1 to {MaxValueLength} printable US-ASCII characters (0x20-0x7E), no leading or trailing space.");
        return this;
    }

    /// <summary>The headers with every value that could not go into a response dropped (for what other tools stored).</summary>
    public ContentHeaders Sendable() => new ContentHeaders
    {
        CacheControl = CacheControl is { } a && IsValidValue(a) ? a : null,
        ContentDisposition = ContentDisposition is { } b && IsValidValue(b) ? b : null,
        ContentEncoding = ContentEncoding is { } c && IsValidValue(c) ? c : null,
        ContentLanguage = ContentLanguage is { } d && IsValidValue(d) ? d : null,
        Expires = Expires is { } e && IsValidValue(e) ? e : null,
    };

    /// <summary>Null when no value is set, so an object without these headers carries none.</summary>
    public static ContentHeaders? OrNull(ContentHeaders? headers) => headers is null || headers.IsEmpty ? null : headers;
}
