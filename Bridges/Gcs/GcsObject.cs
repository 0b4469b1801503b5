using System.Globalization;
using Gateway.Contracts.ObjectStorage;
using StorageObject = Google.Apis.Storage.v1.Data.Object;

namespace Gateway.Bridges.Gcs;

/// <summary>A GCS object resource: the contract's description plus the generation and metageneration conditions are pinned to.</summary>
sealed record GcsObject(ObjectInfo Info, long Generation, long Metageneration)
{
    public static GcsObject From(StorageObject o)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (o.Metadata is { } m)
            foreach (var (name, value) in m) metadata[name.ToLowerInvariant()] = value ?? "";
        var generation = o.Generation ?? 0;
        var info = new ObjectInfo
        {
            Key = o.Name,
            Size = (long)(o.Size ?? 0),
            ETag = Preconditions.Quote(o.ETag ?? generation.ToString(CultureInfo.InvariantCulture)),
            LastModified = o.UpdatedDateTimeOffset ?? DateTimeOffset.UnixEpoch,
            ContentType = o.ContentType ?? "application/octet-stream",
            ContentMd5 = o.Md5Hash,
            Crc32c = o.Crc32c,
            Metadata = metadata,
        };
        return new GcsObject(info, generation, o.Metageneration ?? 0);
    }

    /// <summary>User metadata as GCS stores it (names lower-case, as the contract reports them).</summary>
    public static Dictionary<string, string> Metadata(IReadOnlyDictionary<string, string>? metadata) =>
        (metadata ?? new Dictionary<string, string>()).ToDictionary(kv => kv.Key.ToLowerInvariant(), kv => kv.Value);
}
