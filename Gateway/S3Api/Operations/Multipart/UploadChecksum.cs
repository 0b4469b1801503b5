using Gateway.S3Api.Errors;

namespace Gateway.S3Api.Operations.Multipart;

/// <summary>
/// The checksum a multipart upload was created with (x-amz-checksum-algorithm, lower-case here) and S3's type for it
/// (x-amz-checksum-type): COMPOSITE, the algorithm over the parts' checksums ("value-N"), or FULL_OBJECT, the CRC of the
/// whole object, combined from the parts' CRCs (<see cref="CrcCombine"/>). S3's rules: CRC32 and CRC32C take either
/// (COMPOSITE by default), CRC64NVME only FULL_OBJECT, SHA1 and SHA256 only COMPOSITE.
/// </summary>
internal sealed record UploadChecksum(string Algorithm, string Type)
{
    public const string Composite = "COMPOSITE";
    public const string FullObject = "FULL_OBJECT";

    public bool IsFullObject => Type == FullObject;

    /// <summary>The checksum CreateMultipartUpload names; null when it names none. What S3 refuses is InvalidRequest.</summary>
    public static UploadChecksum? FromRequest(HttpRequest request)
    {
        var type = request.Headers["x-amz-checksum-type"].ToString().ToUpperInvariant();
        if (type.Length > 0 && type is not (Composite or FullObject)) throw S3Errors.InvalidRequest("Value for x-amz-checksum-type header is invalid.");
        if (!request.Headers.TryGetValue("x-amz-checksum-algorithm", out var given))
            return type.Length > 0 ? throw S3Errors.InvalidRequest("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.") : null;
        var algorithm = given.ToString().ToLowerInvariant();
        if (!ChecksumVerifyingStream.Algorithms.Contains(algorithm))
            throw S3Errors.InvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
        var crc = CrcCombine.For(algorithm) is not null;
        if (type.Length == 0) type = algorithm == "crc64nvme" ? FullObject : Composite;
        if ((type == FullObject && !crc) || (type == Composite && algorithm == "crc64nvme"))
            throw S3Errors.InvalidRequest($"The {type} checksum type cannot be used with the {algorithm} checksum algorithm.");
        return new UploadChecksum(algorithm, type);
    }

    /// <summary>The object's checksum from its parts' checksums (base64) and sizes, in part order.</summary>
    public string Of(IReadOnlyList<(string Checksum, long Size)> parts) => IsFullObject
        ? CrcCombine.For(Algorithm)!.Combine(parts)
        : ChecksumVerifyingStream.Composite(Algorithm, [.. parts.Select(p => p.Checksum)]);
}
