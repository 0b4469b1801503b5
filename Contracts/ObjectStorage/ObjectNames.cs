using System.Text;
using System.Text.RegularExpressions;
using Gateway.Contracts.Errors;

namespace Gateway.Contracts.ObjectStorage;

/// <summary>
/// Name rules shared by every store, checked before any bridge is called. Bucket names follow S3's
/// DNS-style rules less "--" (which the S3 front door's store--bucket names use as a separator): a store
/// that cannot hold a name with dots (Azure) says so in <see cref="StoreCapabilities.DottedBucketNames"/>.
/// Keys are any UTF-8 up to 1024 bytes except what could climb out of a filesystem root (see docs/configuration.md).
/// </summary>
public static partial class ObjectNames
{
    public const int MaxKeyBytes = 1024;

    // The name rules' patterns, unanchored: written once for these checks and the OpenAPI document's schemas
    // (ECMA-262 there), so they use only what both dialects read alike.
    /// <summary>Labels of a-z, 0-9 and single '-', each starting and ending with a letter or digit, joined by single dots (3-63 long).</summary>
    public const string BucketNamePattern = @"[a-z0-9](?:-?[a-z0-9])*(?:\.[a-z0-9](?:-?[a-z0-9])*)*";
    /// <summary>A name S3 refuses as a bucket because it reads as an IP address.</summary>
    public const string IPv4ShapePattern = @"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+";
    public const string StoreNamePattern = "[a-z0-9][a-z0-9-]{0,62}";

    [GeneratedRegex(@"\A(?=.{3,63}\z)" + BucketNamePattern + @"\z")]
    private static partial Regex BucketPattern();

    [GeneratedRegex(@"\A" + IPv4ShapePattern + @"\z")]
    private static partial Regex IPv4Shape();

    [GeneratedRegex(@"\A" + StoreNamePattern + @"\z")]
    private static partial Regex StorePattern();

    public static void ValidateStore(string? store)
    {
        if (store is null || !StorePattern().IsMatch(store))
            throw new GatewayException(ErrorCode.BadRequest, "Store names are 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit.");
    }

    public static void ValidateBucket(string? bucket)
    {
        if (bucket is null || !BucketPattern().IsMatch(bucket))
            throw new GatewayException(ErrorCode.BadRequest,
                "Bucket names are 3-63 characters of a-z, 0-9, single '-' and single '.', each dot-separated part starting and ending with a letter or digit.");
        if (IPv4Shape().IsMatch(bucket))
            throw new GatewayException(ErrorCode.BadRequest, "A bucket name must not have the form of an IP address.");
    }

    public const string CannotHoldDots = "This store cannot hold bucket names with '.' (its capabilities say dottedBucketNames: false).";

    /// <summary>Whether a store with these capabilities can hold a bucket of this (well-formed) name.</summary>
    public static bool CanHold(StoreCapabilities capabilities, string bucket) => capabilities.DottedBucketNames || !bucket.Contains('.');

    /// <summary>The shared rules, then the store's own: a dotted name only where the store can hold one.</summary>
    public static void ValidateBucket(string? bucket, StoreCapabilities capabilities)
    {
        ValidateBucket(bucket);
        if (!CanHold(capabilities, bucket!))
            throw new GatewayException(ErrorCode.BadRequest, CannotHoldDots);
    }

    public static void ValidateKey(string? key) => Validate(key, prefix: false);

    private static void Validate(string? key, bool prefix)
    {
        if (string.IsNullOrEmpty(key))
            throw new GatewayException(ErrorCode.BadRequest, "The object key is empty.");
        int bytes;
        try { bytes = new UTF8Encoding(false, true).GetByteCount(key); }
        catch (ArgumentException) { throw new GatewayException(ErrorCode.BadRequest, "The object key is not valid UTF-8."); }
        if (bytes > MaxKeyBytes)
            throw new GatewayException(ErrorCode.BadRequest, $"The object key is {bytes} bytes long; at most {MaxKeyBytes} are allowed.");
        foreach (var c in key)
        {
            if (IsNotXmlCharacter(c))
                throw new GatewayException(ErrorCode.BadRequest, NotXmlCharacter("The object key"));
            if (CannotBeInKey(c))
                throw new GatewayException(ErrorCode.BadRequest, "The object key contains a control character (NUL, CR, LF, ...).");
        }
        if (key[0] == '/' || key[0] == '\\')
            throw new GatewayException(ErrorCode.BadRequest, "The object key must not start with '/' or '\\'.");
        var segments = key.Split('/', '\\');
        // A prefix's last segment is the start of a key's segment: "d/." lists "d/.hidden", "d/.." lists "d/..b".
        foreach (var segment in prefix ? segments[..^1] : segments)
        {
            if (segment is "." or "..")
                throw new GatewayException(ErrorCode.BadRequest, "The object key must not contain '.' or '..' path segments.");
        }
    }

    /// <summary>
    /// Validates an optional listing prefix with the key rules, allowing the empty prefix and a last segment of "." or
    /// "..", which begins keys such as ".hidden" (until session 42 "d/." was refused, so no listing could ask for them).
    /// </summary>
    public static void ValidatePrefix(string? prefix)
    {
        if (!string.IsNullOrEmpty(prefix)) Validate(prefix, prefix: true);
    }

    /// <summary>
    /// A listing delimiter: any string, as S3 takes, up to a key's length (a longer one can match no key), without
    /// control characters, and without U+FFFE or U+FFFF, which the XML listings of S3 and Azure Blob cannot carry back.
    /// </summary>
    public static void ValidateDelimiter(string? delimiter)
    {
        if (string.IsNullOrEmpty(delimiter)) return;
        if (Encoding.UTF8.GetByteCount(delimiter) > MaxKeyBytes || delimiter.Any(char.IsControl))
            throw new GatewayException(ErrorCode.BadRequest, $"delimiter is at most {MaxKeyBytes} bytes of UTF-8, none of them control characters.");
        if (delimiter.Any(IsNotXmlCharacter))
            throw new GatewayException(ErrorCode.BadRequest, NotXmlCharacter("delimiter"));
    }

    /// <summary>
    /// U+FFFE and U+FFFF: the only characters above the controls that XML 1.0 cannot hold (its <c>Char</c> production;
    /// surrogates never reach here alone, as the UTF-8 check refuses them). S3 and Azure Blob answer listings in XML, so a
    /// key holding one is stored there but breaks every listing of its bucket (their SDKs cannot read the answer), and a
    /// prefix or delimiter holding one is echoed into the answer the same way: refused for every store, as the key rules
    /// are the stores' common ground.
    /// </summary>
    public static bool IsNotXmlCharacter(char c) => c is '\uFFFE' or '\uFFFF';

    /// <summary>Whether no key the rules accept can hold this character: a control character, U+FFFE or U+FFFF.</summary>
    public static bool CannotBeInKey(char c) => c < 0x20 || c == 0x7f || IsNotXmlCharacter(c);

    private static string NotXmlCharacter(string what) =>
        $"{what} contains U+FFFE or U+FFFF, which XML 1.0 cannot carry: the listings of S3 and Azure Blob could not hand it back.";
}
