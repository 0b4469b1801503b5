using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Routing;

namespace Gateway.S3Api.Operations.Multipart;

/// <summary>
/// A part as the front door answers it: S3's ETag (the part's MD5 in hex), its size, its time when the store keeps one,
/// and the store's own identity of it (a native part's ETag or block id; a parts-area object's ETag, with its key).
/// </summary>
internal sealed record StoredPart(int Number, string S3ETag, long Size, DateTimeOffset? LastModified, string StoreETag, string? Key = null);

/// <summary>Where an upload's parts live: the store's own multipart upload (<see cref="NativeParts"/>) or the parts area (<see cref="PartsAreaParts"/>).</summary>
internal abstract class UploadParts(S3Context c, UploadRecord record)
{
    protected S3Context C { get; } = c;
    protected UploadRecord Record { get; } = record;

    public static UploadParts For(S3Context c, UploadRecord record) => record.IsNative ? new NativeParts(c, record) : new PartsAreaParts(c, record);

    /// <summary>Stores part <paramref name="number"/> (sent again, it replaces the first); <paramref name="contentMd5"/> is checked (BadDigest).</summary>
    public abstract Task<StoredPart> PutAsync(int number, Stream body, long length, string? contentMd5);

    /// <summary>The parts held, by number.</summary>
    public abstract Task<IReadOnlyDictionary<int, StoredPart>> ListAsync();

    /// <summary>
    /// Makes <paramref name="chosen"/> the object at the record's key under <paramref name="conditions"/>, with
    /// <paramref name="added"/> metadata (the S3 ETag and part layout), then forgets the upload (<paramref name="held"/>
    /// is every part the upload holds, <paramref name="checksumRecords"/> the keys of its part checksum records).
    /// </summary>
    public abstract Task CompleteAsync(IReadOnlyList<StoredPart> chosen, IEnumerable<StoredPart> held, IReadOnlyDictionary<string, string> added,
        ObjectConditions conditions, IReadOnlyList<string> checksumRecords);

    /// <summary>Drops the parts and the record.</summary>
    public abstract Task AbortAsync();
}
