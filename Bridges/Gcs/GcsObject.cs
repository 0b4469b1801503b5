using Gateway.Contracts.ObjectStorage;
using StorageObject = Google.Apis.Storage.v1.Data.Object;

namespace Gateway.Bridges.Gcs;

/// <summary>A GCS object resource: the contract's description plus the generation and metageneration conditions are pinned to.</summary>
sealed record GcsObject(ObjectInfo Info, long Generation, long Metageneration)
{
    public static GcsObject From(StorageObject o)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        string? expires = null;
        if (o.Metadata is { } m)
            foreach (var (name, value) in m)
            {
                if (string.Equals(name, ExpiresName, StringComparison.OrdinalIgnoreCase)) expires = value;
                else metadata[name.ToLowerInvariant()] = value ?? "";
            }
        var generation = o.Generation ?? 0;
        var metageneration = o.Metageneration ?? 0;
        var info = new ObjectInfo
        {
            Key = o.Name,
            Size = (long)(o.Size ?? 0),
            ETag = Preconditions.Quote(GcsETag.For(generation, metageneration)),
            LastModified = o.UpdatedDateTimeOffset ?? DateTimeOffset.UnixEpoch,
            ContentType = o.ContentType ?? "application/octet-stream",
            ContentMd5 = o.Md5Hash,
            Crc32c = o.Crc32c,
            Metadata = metadata,
            ContentHeaders = ContentHeaders.OrNull(new ContentHeaders
            {
                CacheControl = Set(o.CacheControl),
                ContentDisposition = Set(o.ContentDisposition),
                ContentEncoding = Set(o.ContentEncoding),
                ContentLanguage = Set(o.ContentLanguage),
                Expires = Set(expires),
            }),
        };
        return new GcsObject(info, generation, metageneration);
    }

    /// <summary>
    /// The metadata entry the Expires header is kept in (an object resource has no field for it); user metadata names
    /// never hold a '.', so none is stored under it.
    /// </summary>
    public const string ExpiresName = "gw.expires";

    /// <summary>User metadata as GCS stores it (names lower-case, as the contract reports them), plus the kept Expires header.</summary>
    public static Dictionary<string, string> Metadata(IReadOnlyDictionary<string, string>? metadata, ContentHeaders? headers)
    {
        var stored = (metadata ?? new Dictionary<string, string>()).ToDictionary(kv => kv.Key.ToLowerInvariant(), kv => kv.Value);
        if (headers?.Expires is { } expires) stored[ExpiresName] = expires;
        return stored;
    }

    /// <summary>
    /// Sets the standard headers of an object resource being written. A copy's resource takes the source's value for
    /// every field left out (null is not sent), so <paramref name="clear"/> sends "" for those to drop.
    /// </summary>
    public static StorageObject WithHeaders(StorageObject resource, ContentHeaders? headers, bool clear = false)
    {
        var none = clear ? "" : null;
        resource.CacheControl = headers?.CacheControl ?? none;
        resource.ContentDisposition = headers?.ContentDisposition ?? none;
        resource.ContentEncoding = headers?.ContentEncoding ?? none;
        resource.ContentLanguage = headers?.ContentLanguage ?? none;
        return resource;
    }

    static string? Set(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
