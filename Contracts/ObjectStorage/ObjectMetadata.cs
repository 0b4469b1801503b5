using System.Text.RegularExpressions;
using Gateway.Contracts.Errors;

namespace Gateway.Contracts.ObjectStorage;

/// <summary>
/// What user metadata and content types may be: the common ground of S3, Azure Blob and GCS, so that what one
/// store kind accepts every kind stores and hands back unchanged as an HTTP header (docs/errors.md lists the rules).
/// <list type="bullet">
/// <item>Names: a letter, digit or '_', then letters, digits, '_' or '-' (S3's and GCS's names; the Azure bridge stores names
/// that are not C# identifiers in a reversible encoding); at most 128 characters; case-insensitive, stored lower-case.</item>
/// <item>Values: 1 or more printable US-ASCII characters (0x20-0x7E), not starting or ending with a space
/// (HTTP strips those; Azure refuses them). Non-ASCII has no portable header form, so it is refused, not re-encoded.</item>
/// <item>Names and values together: at most 2048 bytes (S3's limit, the smallest of the three).</item>
/// <item>Content type: a type/subtype media type with optional parameters, printable US-ASCII, at most 256 characters.</item>
/// </list>
/// </summary>
public static partial class ObjectMetadata
{
    public const int MaxNameLength = 128;
    public const int MaxTotalBytes = 2048;
    public const int MaxContentTypeLength = 256;

    /// <summary>No metadata: where an object's metadata is not known (a listing item), the entries it holds are read as none.</summary>
    public static IReadOnlyDictionary<string, string> None { get; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    [GeneratedRegex(@"\A[a-z0-9_][a-z0-9_-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    // RFC 9110 media-type: token "/" token *( OWS ";" OWS token "=" ( token / quoted-string ) ).
    [GeneratedRegex("""\A[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:[ \t]*;[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+=(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+|"(?:[ !#-\[\]-~]|\\[ -~])*"))*\z""", RegexOptions.CultureInvariant)]
    private static partial Regex MediaTypePattern();

    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>True for a value every store keeps as it is and every HTTP response can carry.</summary>
    public static bool IsValidValue(string value)
    {
        if (value.Length == 0 || value[0] == ' ' || value[^1] == ' ') return false;
        foreach (var c in value)
            if (c < 0x20 || c > 0x7E) return false;
        return true;
    }

    public static bool IsValidContentType(string contentType) =>
        contentType.Length <= MaxContentTypeLength && MediaTypePattern().IsMatch(contentType);

    /// <summary>Checks user metadata (names without the x-meta- prefix) and returns it with lower-case names.</summary>
    public static Dictionary<string, string> Validate(IEnumerable<KeyValuePair<string, string>> metadata, string namePrefix = "")
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var bytes = 0;
        foreach (var (rawName, value) in metadata)
        {
            var name = rawName.ToLowerInvariant();
            if (!IsValidName(name))
                throw new GatewayException(ErrorCode.BadRequest,
                    $"Metadata name '{Printable(namePrefix + rawName)}' is not allowed: a letter, digit or '_', then letters, digits, '_' or '-', at most {MaxNameLength} characters.");
            if (value is null || !IsValidValue(value))
                throw new GatewayException(ErrorCode.BadRequest,
                    $"Metadata value of '{namePrefix + name}' is not allowed: 1 or more printable US-ASCII characters (0x20-0x7E), no leading or trailing space.");
            if (!result.TryAdd(name, value))
                throw new GatewayException(ErrorCode.BadRequest, $"Metadata name '{namePrefix + name}' is given more than once.");
            bytes += name.Length + value.Length;
        }
        if (bytes > MaxTotalBytes)
            throw new GatewayException(ErrorCode.BadRequest, $"User metadata is {bytes} bytes; at most {MaxTotalBytes} are allowed.");
        return result;
    }

    /// <summary>Checks a content type; null stays null (the store's default applies).</summary>
    public static string? ValidateContentType(string? contentType)
    {
        if (contentType is null) return null;
        if (!IsValidContentType(contentType))
            throw new GatewayException(ErrorCode.BadRequest,
                $"Content type is not allowed: a media type such as 'text/plain; charset=utf-8' in printable US-ASCII, at most {MaxContentTypeLength} characters.");
        return contentType;
    }

    // A refused name is echoed in the message only as printable ASCII, so the problem document stays clean.
    private static string Printable(string s)
    {
        var chars = s.Length > 64 ? s[..64].ToCharArray() : s.ToCharArray();
        for (var i = 0; i < chars.Length; i++) if (chars[i] < 0x20 || chars[i] > 0x7E) chars[i] = '?';
        return new string(chars);
    }
}
