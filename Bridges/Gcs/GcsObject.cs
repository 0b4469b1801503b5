using System.Globalization;
using System.Text.Json;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Bridges.Gcs;

/// <summary>A JSON API object resource: the contract's description plus the generation conditions are pinned to.</summary>
sealed record GcsObject(ObjectInfo Info, long Generation)
{
    public static GcsObject Parse(JsonElement o)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (o.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object)
            foreach (var p in m.EnumerateObject()) metadata[p.Name.ToLowerInvariant()] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
        var info = new ObjectInfo
        {
            Key = o.GetProperty("name").GetString()!,
            Size = Long(o, "size"),
            ETag = Preconditions.Quote(String(o, "etag") ?? Long(o, "generation").ToString(CultureInfo.InvariantCulture)),
            LastModified = String(o, "updated") is { } updated ? DateTimeOffset.Parse(updated, CultureInfo.InvariantCulture) : DateTimeOffset.UnixEpoch,
            ContentType = String(o, "contentType") ?? "application/octet-stream",
            ContentMd5 = String(o, "md5Hash"),
            Crc32c = String(o, "crc32c"),
            Metadata = metadata,
        };
        return new GcsObject(info, Long(o, "generation"));
    }

    static string? String(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    // The JSON API sends 64-bit numbers as strings.
    static long Long(JsonElement o, string name) => o.TryGetProperty(name, out var v)
        ? v.ValueKind == JsonValueKind.Number ? v.GetInt64() : long.TryParse(v.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0
        : 0;
}
