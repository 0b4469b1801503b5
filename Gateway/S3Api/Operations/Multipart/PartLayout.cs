using System.Globalization;
using System.Text;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.S3Api.Operations.Multipart;

/// <summary>
/// The part sizes of an object completed through the front door, kept in the reserved metadata entry
/// <see cref="Key"/> so GetObject / HeadObject can answer by partNumber. Runs of equal sizes are written once
/// ("8388608*12,1234": twelve parts of 8 MiB, then one of 1234 bytes), so the usual upload of equal parts costs a few
/// bytes whatever its part count. A layout that would not fit <see cref="MaxLength"/> is not kept.
/// </summary>
public static class PartLayout
{
    public const string Key = MultipartMetadata.ReservedPrefix + "parts";
    public const int MaxLength = 512;

    /// <summary>
    /// <paramref name="metadata"/> with what describes <paramref name="source"/>'s bytes rather than its metadata: its
    /// multipart ETag and part sizes. A copy that replaces the metadata keeps them, as one that copies it does: the bytes are
    /// the same. Without them an Azure or GCS copy answered the store's own ETag, and a local one lost its parts.
    /// </summary>
    public static Dictionary<string, string> WithBytesOf(Dictionary<string, string> metadata, ObjectInfo source)
    {
        foreach (var name in (string[])[MultipartMetadata.ETagKey, Key])
            if (source.MetadataOrNone().TryGetValue(name, out var value)) metadata[name] = value;
        return metadata;
    }

    public static string? Encode(IReadOnlyList<long> sizes)
    {
        var text = new StringBuilder();
        for (var i = 0; i < sizes.Count;)
        {
            var run = 1;
            while (i + run < sizes.Count && sizes[i + run] == sizes[i]) run++;
            if (text.Length > 0) text.Append(',');
            text.Append(sizes[i].ToString(CultureInfo.InvariantCulture));
            if (run > 1) text.Append('*').Append(run.ToString(CultureInfo.InvariantCulture));
            i += run;
        }
        return text.Length <= MaxLength ? text.ToString() : null;
    }

    /// <summary>The part sizes; null when the entry is missing or not one this class wrote.</summary>
    public static IReadOnlyList<long>? Decode(ObjectInfo info)
    {
        if (!info.MetadataOrNone().TryGetValue(Key, out var text)) return null;
        var sizes = new List<long>();
        foreach (var run in text.Split(','))
        {
            var star = run.IndexOf('*');
            var sizeText = star < 0 ? run : run[..star];
            var count = 1;
            if (!long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                || (star >= 0 && !int.TryParse(run.AsSpan(star + 1), NumberStyles.None, CultureInfo.InvariantCulture, out count))
                || count < 1 || sizes.Count + count > MultipartMetadata.MaxPartNumber)
                return null;
            for (var i = 0; i < count; i++) sizes.Add(size);
        }
        return sizes.Sum() == info.Size ? sizes : null;
    }

    /// <summary>The number of parts S3 reports for the object: N of a multipart ETag "...-N", else null (a single-part object).</summary>
    public static int? PartsCount(ObjectInfo info)
    {
        if (!info.MetadataOrNone().TryGetValue(MultipartMetadata.ETagKey, out var etag)) return null;
        var dash = etag.LastIndexOf('-');
        return dash > 0 && int.TryParse(etag.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }
}
