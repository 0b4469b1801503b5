using System.Text.RegularExpressions;
using System.Xml.Linq;
using Gateway.S3Api.Errors;

namespace Gateway.S3Api.Operations.Tagging;

/// <summary>
/// An object's tag set, S3's rules: at most 10 tags, keys 1-128 and values 0-256 Unicode characters (letters, digits,
/// spaces and <c>+ - = . _ : / @</c>), keys unique and not starting with <c>aws:</c>. It is kept in the object's metadata
/// under the reserved name <see cref="MetadataKey"/>, in the <c>x-amz-tagging</c> form (<c>k=v&amp;k2=v2</c>, each part
/// percent-encoded), which is printable US-ASCII every store keeps as it is.
/// </summary>
public static partial class ObjectTags
{
    /// <summary>Reserved (gw_s3_*): never shown as user metadata, never settable through x-amz-meta-*.</summary>
    public const string MetadataKey = "gw_s3_tags";
    public const int MaxTags = 10;
    public const int MaxKeyLength = 128;
    public const int MaxValueLength = 256;
    public const int MaxBodyBytes = 64 * 1024;

    [GeneratedRegex(@"\A[\p{L}\p{Z}\p{N}_.:/=+\-@]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex AllowedCharacters();

    /// <summary>The tags stored with an object (none when it has no tag entry).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Of(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue(MetadataKey, out var stored) ? Decode(stored) : [];

    /// <summary>The metadata with the tag entry set to <paramref name="tags"/> (removed when there are none).</summary>
    public static Dictionary<string, string> With(IReadOnlyDictionary<string, string> metadata, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        var result = new Dictionary<string, string>(metadata, StringComparer.Ordinal);
        if (tags.Count == 0) result.Remove(MetadataKey);
        else result[MetadataKey] = Encode(tags);
        return result;
    }

    /// <summary>The <c>x-amz-tagging</c> header (PutObject, CreateMultipartUpload, CopyObject): a URL query string.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseQuery(string query)
    {
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var pair in query.Split('&'))
        {
            if (pair.Length == 0) continue;
            var eq = pair.IndexOf('=');
            var key = Unescape(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Unescape(pair[(eq + 1)..]);
            tags.Add(new(key, value));
        }
        return Validate(tags);
    }

    /// <summary>A <c>&lt;Tagging&gt;&lt;TagSet&gt;&lt;Tag&gt;&lt;Key/&gt;&lt;Value/&gt;</c> document (PutObjectTagging, POST Object's field).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseXml(XDocument doc)
    {
        var root = doc.Root;
        if (root is null || root.Name.LocalName != "Tagging") throw S3Errors.MalformedXml();
        var sets = root.Elements().Where(e => e.Name.LocalName == "TagSet").ToList();
        if (sets.Count != 1) throw S3Errors.MalformedXml();
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var tag in sets[0].Elements())
        {
            if (tag.Name.LocalName != "Tag") throw S3Errors.MalformedXml();
            var keys = tag.Elements().Where(e => e.Name.LocalName == "Key").ToList();
            var values = tag.Elements().Where(e => e.Name.LocalName == "Value").ToList();
            // S3's schema requires both (botocore's Tag shape; RGW decodes both as mandatory): an empty value is <Value/>.
            if (keys.Count != 1 || values.Count != 1 || keys[0].HasElements || values[0].HasElements) throw S3Errors.MalformedXml();
            tags.Add(new(keys[0].Value, values[0].Value));
        }
        return Validate(tags);
    }

    public static IReadOnlyList<KeyValuePair<string, string>> ParseXml(string xml)
    {
        try
        {
            using var reader = System.Xml.XmlReader.Create(new StringReader(xml), new System.Xml.XmlReaderSettings { DtdProcessing = System.Xml.DtdProcessing.Prohibit, XmlResolver = null });
            return ParseXml(XDocument.Load(reader));
        }
        catch (System.Xml.XmlException) { throw S3Errors.MalformedXml(); }
    }

    private static List<KeyValuePair<string, string>> Validate(List<KeyValuePair<string, string>> tags)
    {
        // s3-tests asserts InvalidTag for an eleventh tag (AWS answers BadRequest there); both are 400 and store nothing.
        if (tags.Count > MaxTags) throw InvalidTag("Object tags cannot be greater than 10");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            // S3 calls an empty key invalid, not too long.
            if (key.Length == 0) throw InvalidTag("The TagKey you have provided is invalid");
            if (Length(key) > MaxKeyLength) throw InvalidTag("The TagKey you have provided is too long, max 128");
            if (Length(value) > MaxValueLength) throw InvalidTag("The TagValue you have provided is too long, max 256");
            if (!AllowedCharacters().IsMatch(key)) throw InvalidTag("The TagKey you have provided is invalid");
            if (!AllowedCharacters().IsMatch(value)) throw InvalidTag("The TagValue you have provided is invalid");
            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase)) throw InvalidTag("Your TagKey cannot be prefixed with aws:");
            if (!seen.Add(key)) throw InvalidTag("Cannot provide multiple Tags with the same key");
        }
        return tags;
    }

    public static IEnumerable<KeyValuePair<string, string>> Sorted(IEnumerable<KeyValuePair<string, string>> tags) =>
        tags.OrderBy(t => t.Key, StringComparer.Ordinal);

    private static S3Exception InvalidTag(string message) => new("InvalidTag", 400, message);

    /// <summary>Unicode characters, as S3 counts them: a surrogate pair is one. A lone surrogate is refused.</summary>
    private static int Length(string s)
    {
        if (!IsWellFormed(s)) throw InvalidTag("A tag holds an invalid Unicode character");
        var n = 0;
        foreach (var _ in s.EnumerateRunes()) n++;
        return n;
    }

    private static bool IsWellFormed(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }

    private static string Unescape(string part)
    {
        try { return Uri.UnescapeDataString(part.Replace('+', ' ')); }
        catch (UriFormatException) { throw InvalidTag("The x-amz-tagging header is not a valid query string"); }
    }

    /// <summary>Kept ordered by key (ordinal), so GetObjectTagging answers them in that order, as RGW does and s3-tests assert.</summary>
    private static string Encode(IReadOnlyList<KeyValuePair<string, string>> tags) =>
        string.Join('&', Sorted(tags).Select(t => Uri.EscapeDataString(t.Key) + "=" + Uri.EscapeDataString(t.Value)));

    private static List<KeyValuePair<string, string>> Decode(string stored) =>
        stored.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
        {
            var eq = pair.IndexOf('=');
            return eq < 0 ? new KeyValuePair<string, string>(Uri.UnescapeDataString(pair), "") : new(Uri.UnescapeDataString(pair[..eq]), Uri.UnescapeDataString(pair[(eq + 1)..]));
        }).ToList();
}
