using Gateway.Contracts.ObjectStorage;

namespace Gateway.S3Api.Operations.Multipart;

/// <summary>
/// The part checksums of an object completed from an upload with a checksum, kept as S3 keeps them (GetObjectAttributes'
/// ObjectParts; GET / HEAD by partNumber of a COMPOSITE object): the reserved metadata entry <see cref="Key"/>, the parts'
/// binary checksums end to end in part order, base64 (a part's size is fixed by the algorithm). A list that would not fit
/// <see cref="MaxLength"/> (past 192 CRC32 parts, 96 CRC64NVME, 38 SHA1 or 24 SHA256) is not kept: its parts answer none.
/// </summary>
public static class KeptPartChecksums
{
    public const string Key = MultipartMetadata.ReservedPrefix + "part_checksums";
    public const int MaxLength = 1024;

    public static string? Encode(string algorithm, IReadOnlyList<string> partChecksums)
    {
        var joined = partChecksums.SelectMany(Convert.FromBase64String).ToArray();
        var text = Convert.ToBase64String(joined);
        return text.Length <= MaxLength && joined.Length == partChecksums.Count * SizeOf(algorithm) ? text : null;
    }

    /// <summary>The checksum of part <paramref name="partNumber"/> (1-based) of a multipart object, as (algorithm, base64); null when none was kept.</summary>
    public static (string Algorithm, string Value)? Of(ObjectInfo info, int partNumber) =>
        All(info) is { } all && partNumber <= all.Values.Count ? (all.Algorithm, all.Values[partNumber - 1]) : null;

    /// <summary>Every kept part checksum in part order; null when none were kept (or the entry is not one this class wrote).</summary>
    public static (string Algorithm, IReadOnlyList<string> Values)? All(ObjectInfo info)
    {
        if (!info.MetadataOrNone().TryGetValue(Key, out var text) || StoredChecksum.Of(info) is not var (algorithm, _) || PartLayout.PartsCount(info) is not { } count)
            return null;
        byte[] joined;
        try { joined = Convert.FromBase64String(text); }
        catch (FormatException) { return null; }
        var size = SizeOf(algorithm);
        if (joined.Length != count * size) return null;
        return (algorithm, [.. joined.Chunk(size).Select(Convert.ToBase64String)]);
    }

    private static int SizeOf(string algorithm) => algorithm switch
    {
        "crc32" or "crc32c" => 4,
        "crc64nvme" => 8,
        "sha1" => 20,
        _ => 32,
    };
}
