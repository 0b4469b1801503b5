using System.Globalization;
using System.Text;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Bridges.AzureBlob;

/// <summary>
/// Azure metadata names must be C# identifiers, but S3 and GCS names may hold '-' or start with a digit (s3cmd sends
/// <c>s3cmd-attrs</c> on every put). Names are stored reversibly so every store hands back the names it was given:
/// <list type="bullet">
/// <item>An identifier (<c>[a-z_][a-z0-9_]*</c>) not starting with <see cref="Marker"/> is stored as it is, so existing blobs read unchanged.</item>
/// <item>Any other name is stored as <see cref="Marker"/> followed by the name with '_' written "__", '-' written "_h" and any
/// other character outside a-z0-9 written "_x" and its UTF-16 code in 4 hex digits.</item>
/// </list>
/// Every encoded name starts with the marker and no name stored as it is does, and the escapes form a prefix code, so two
/// names never share a stored form. Azure compares names case-insensitively; names are lower-case before and after.
/// </summary>
static class AzureMetadataNames
{
    public const string Marker = "gwenc_";

    /// <summary>
    /// Where the Expires header is kept (Azure's blob properties have no field for it). After the marker comes "_e",
    /// an escape <see cref="Encode(string)"/> never writes, so no user metadata name is stored under it.
    /// </summary>
    public const string ExpiresName = Marker + "_expires";

    /// <summary>User metadata and the headers kept in metadata, as stored.</summary>
    public static Dictionary<string, string> Stored(IEnumerable<KeyValuePair<string, string>> metadata, ContentHeaders? headers)
    {
        var stored = Encode(metadata);
        if (headers?.Expires is { } expires) stored[ExpiresName] = expires;
        return stored;
    }

    /// <summary>Splits stored metadata into the user metadata (names decoded) and the Expires header kept with it.</summary>
    public static (Dictionary<string, string> Metadata, string? Expires) Read(IDictionary<string, string>? stored)
    {
        string? expires = null;
        var user = new List<KeyValuePair<string, string>>();
        if (stored is not null)
            foreach (var entry in stored)
            {
                if (string.Equals(entry.Key, ExpiresName, StringComparison.OrdinalIgnoreCase)) expires = entry.Value;
                else user.Add(entry);
            }
        return (Decode(user), expires);
    }

    public static Dictionary<string, string> Encode(IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in metadata) result[Encode(name.ToLowerInvariant())] = value;
        return result;
    }

    public static Dictionary<string, string> Decode(IEnumerable<KeyValuePair<string, string>>? metadata)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is null) return result;
        foreach (var (name, value) in metadata) result[Decode(name.ToLowerInvariant())] = value;
        return result;
    }

    public static string Encode(string name)
    {
        if (IsPlainIdentifier(name) && !name.StartsWith(Marker, StringComparison.Ordinal)) return name;
        var stored = new StringBuilder(Marker, Marker.Length + name.Length * 2);
        foreach (var c in name)
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9') stored.Append(c);
            else if (c == '_') stored.Append("__");
            else if (c == '-') stored.Append("_h");
            else stored.Append("_x").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
        }
        return stored.ToString();
    }

    /// <summary>The name a stored name stands for; a name this scheme could not have written is returned as it is.</summary>
    public static string Decode(string stored)
    {
        if (!stored.StartsWith(Marker, StringComparison.Ordinal)) return stored;
        var name = new StringBuilder(stored.Length);
        for (var i = Marker.Length; i < stored.Length; i++)
        {
            var c = stored[i];
            if (c != '_') { name.Append(c); continue; }
            if (i + 1 >= stored.Length) return stored;
            switch (stored[++i])
            {
                case '_': name.Append('_'); break;
                case 'h': name.Append('-'); break;
                case 'x' when i + 4 < stored.Length
                    && int.TryParse(stored.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                    name.Append((char)code);
                    i += 4;
                    break;
                default: return stored;
            }
        }
        return name.ToString();
    }

    static bool IsPlainIdentifier(string name)
    {
        if (name.Length == 0 || !(name[0] is >= 'a' and <= 'z' or '_')) return false;
        foreach (var c in name)
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_')) return false;
        return true;
    }
}
