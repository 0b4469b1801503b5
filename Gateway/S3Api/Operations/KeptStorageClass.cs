using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Operations.Multipart;

namespace Gateway.S3Api.Operations;

/// <summary>
/// The storage class an object was written with (x-amz-storage-class on PutObject, CopyObject, CreateMultipartUpload, POST
/// Object's field), kept in the object's metadata under a reserved name and answered where S3 answers it: the
/// <c>x-amz-storage-class</c> header of GET and HEAD (absent for STANDARD, as in S3), listings, GetObjectAttributes and the
/// upload listings. The store keeps the bytes in its one tier whatever the class says; what is kept is the class the client
/// chose, so it reads back what it wrote.
/// </summary>
public static class KeptStorageClass
{
    public const string Standard = "STANDARD";
    public const string Header = "x-amz-storage-class";

    /// <summary>Reserved (gw_s3_*): never shown as user metadata, never settable through x-amz-meta-*.</summary>
    public const string MetadataKey = MultipartMetadata.ReservedPrefix + "storage_class";

    /// <summary>S3's storage classes; another name is refused as S3 refuses it (InvalidStorageClass).</summary>
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        Standard, "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE",
        "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE",
    };

    /// <summary>The class an object or upload record was written with; STANDARD when none was kept.</summary>
    public static string Of(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue(MetadataKey, out var kept) && Names.Contains(kept) ? kept : Standard;

    public static string Of(ObjectInfo info) => Of(info.MetadataOrNone());

    /// <summary>The class a write asks for: the header's (the dispatcher has refused names S3 does not have), else STANDARD.</summary>
    public static string Asked(HttpRequest request) =>
        request.Headers.TryGetValue(Header, out var value) && Names.Contains(value.ToString()) ? value.ToString() : Standard;

    /// <summary>The metadata with the class entry set to <paramref name="storageClass"/> (none for STANDARD, S3's default).</summary>
    public static Dictionary<string, string> With(IReadOnlyDictionary<string, string> metadata, string storageClass)
    {
        var result = new Dictionary<string, string>(metadata, StringComparer.Ordinal);
        if (storageClass == Standard) result.Remove(MetadataKey);
        else result[MetadataKey] = storageClass;
        return result;
    }

    /// <summary>GET and HEAD: S3 names the class only when it is not STANDARD.</summary>
    public static void WriteHeader(HttpResponse response, ObjectInfo info)
    {
        var storageClass = Of(info);
        if (storageClass != Standard) response.Headers[Header] = storageClass;
    }
}
