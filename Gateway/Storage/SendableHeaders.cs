using Gateway.Contracts.ObjectStorage;

namespace Gateway.Storage;

/// <summary>
/// An object's stored facts made fit for response headers. Objects written by other tools (or before the rules) may hold
/// what no header can carry (non-ASCII, control characters): Kestrel refuses such a value, which would turn the read into
/// a 500. They stay readable instead, on the REST facade and the S3 front door alike: a content type that is not a valid
/// media type is replaced by the default, a user metadata value that is not printable US-ASCII becomes an RFC 2047 encoded word (as S3 answers
/// non-ASCII metadata), a metadata name that is no header token is left out; the standard headers go through
/// <see cref="ContentHeaders.Sendable"/>, which drops what cannot be sent.
/// </summary>
internal static class SendableHeaders
{
    public static string ContentType(string? stored, string fallback) => stored is not null && ObjectMetadata.IsValidContentType(stored) ? stored : fallback;

    /// <summary>User metadata (names without prefix) whose names are header tokens, with values safe to send.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Metadata(IReadOnlyDictionary<string, string>? metadata)
    {
        foreach (var (name, value) in metadata ?? ObjectMetadata.None)
            if (IsHeaderToken(name)) yield return new(name, IsSendable(value) ? value : EncodedWord(value));
    }

    /// <summary>
    /// Printable US-ASCII, which every response can carry as it is (empty included: S3 keeps empty metadata values), and tabs
    /// inside it: a header value may hold them (RFC 9110 §5.5) and the S3 front door stores them (x-amz-meta-a: "a\tb"), so
    /// they go back as written, not as an encoded word. At either end a tab would be read as the header's surrounding space.
    /// </summary>
    private static bool IsSendable(string value) =>
        value.All(c => c is (>= ' ' and <= '~') or '\t') && !value.StartsWith('\t') && !value.EndsWith('\t');

    private static bool IsHeaderToken(string name) =>
        name.Length > 0 && name.All(c => c < 0x7F && (char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)));

    /// <summary>An RFC 2047 encoded word (as S3 answers non-ASCII metadata): =?UTF-8?B?base64?=.</summary>
    private static string EncodedWord(string value) => "=?UTF-8?B?" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value)) + "?=";
}
