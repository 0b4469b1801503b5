using Gateway.Contracts.ObjectStorage;
using Gateway.S3Api.Operations.Multipart;

namespace Gateway.S3Api.Operations;

/// <summary>
/// The additional checksum a PutObject named in a header (x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1, -sha256), checked at the
/// front door and kept in the reserved metadata entry <see cref="Key"/> as "algorithm:value", so GetObject and
/// HeadObject with x-amz-checksum-mode: ENABLED answer it as S3 does. A checksum sent as an aws-chunked trailer is known
/// only after the write started, so it is checked but not kept. A multipart upload created with x-amz-checksum-algorithm
/// keeps its COMPOSITE ("value-N") or FULL_OBJECT checksum (see MultipartOperations) the same way. Where the store keeps a CRC32C itself (GCS), that one is
/// answered for objects without a kept checksum.
/// </summary>
public static class StoredChecksum
{
    public const string Key = MultipartMetadata.ReservedPrefix + "checksum";

    /// <summary>The metadata entry for the checksum header of this request, or null when it names none.</summary>
    public static string? FromHeaders(HttpRequest request)
    {
        foreach (var algorithm in ChecksumVerifyingStream.Algorithms)
            if (request.Headers["x-amz-checksum-" + algorithm].ToString() is { Length: > 0 } value && ObjectMetadata.IsValidValue(value))
                return algorithm + ":" + value;
        return null;
    }

    /// <summary>Adds the checksum headers when the client asked for them and the answer is the whole object.</summary>
    public static void Write(HttpContext http, ObjectInfo info, bool wholeObject)
    {
        if (!wholeObject || !Asked(http.Request) || Of(info) is not var (algorithm, value)) return;
        Set(http.Response, algorithm, value, TypeOf(value));
    }

    /// <summary>
    /// The checksum headers of one part of a multipart object read by partNumber, as S3 answers them: a COMPOSITE object's
    /// part its own kept checksum (<see cref="KeptPartChecksums"/>); a FULL_OBJECT object's part none, unless it is the
    /// only part and so the whole object.
    /// </summary>
    public static void WritePart(HttpContext http, ObjectInfo info, int partNumber)
    {
        if (!Asked(http.Request) || Of(info) is not var (algorithm, value)) return;
        if (TypeOf(value) == UploadChecksum.Composite)
        {
            if (KeptPartChecksums.Of(info, partNumber) is var (partAlgorithm, partValue)) Set(http.Response, partAlgorithm, partValue, UploadChecksum.Composite);
        }
        else if (PartLayout.PartsCount(info) == 1) Set(http.Response, algorithm, value, UploadChecksum.FullObject);
    }

    private static bool Asked(HttpRequest request) =>
        string.Equals(request.Headers["x-amz-checksum-mode"].ToString(), "ENABLED", StringComparison.OrdinalIgnoreCase);

    private static void Set(HttpResponse response, string algorithm, string value, string type)
    {
        response.Headers["x-amz-checksum-" + algorithm] = value;
        response.Headers["x-amz-checksum-type"] = type;
    }

    /// <summary>S3's checksum type: COMPOSITE for a multipart object's "checksum-N", FULL_OBJECT otherwise.</summary>
    public static string TypeOf(string value) => value.Contains('-', StringComparison.Ordinal) ? UploadChecksum.Composite : UploadChecksum.FullObject;

    /// <summary>The whole object's checksum as (lower-case algorithm, base64 value): the kept one, else the store's CRC32C; null when none.</summary>
    public static (string Algorithm, string Value)? Of(ObjectInfo info)
    {
        if (info.MetadataOrNone().TryGetValue(Key, out var kept) && kept.IndexOf(':') is var colon and > 0
            && ChecksumVerifyingStream.Algorithms.Contains(kept[..colon]) && ObjectMetadata.IsValidValue(kept))
            return (kept[..colon], kept[(colon + 1)..]);
        if (info.Crc32c is { } crc32c && !info.MetadataOrNone().ContainsKey(MultipartMetadata.ETagKey)) return ("crc32c", crc32c);
        return null;
    }
}
