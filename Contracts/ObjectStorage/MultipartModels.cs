using Gateway.Contracts.Errors;

namespace Gateway.Contracts.ObjectStorage;

/// <summary>What a multipart upload will write when it completes (S3's CreateMultipartUpload).</summary>
public sealed record MultipartUploadOptions
{
    public string ContentType { get; init; } = "application/octet-stream";
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    /// <summary>Cache-Control, Content-Disposition, Content-Encoding, Content-Language and Expires of the object.</summary>
    public ContentHeaders? ContentHeaders { get; init; }
}

/// <summary>A started multipart upload. The id is the store's own (opaque); it is all a caller keeps to resume.</summary>
public sealed record StartedUpload(string UploadId);

/// <summary>How one part is sent.</summary>
public sealed record UploadPartOptions
{
    /// <summary>The part's length when known, -1 otherwise; a body of another length is refused and nothing is kept.</summary>
    public long ContentLength { get; init; } = -1;
}

/// <summary>
/// A part the store holds for an upload: its number, the identity the store gave it (S3's part ETag, the staged block's
/// id...) and its size. <see cref="ContentMd5"/> is the part's base64 MD5 when the store states one.
/// </summary>
public sealed record UploadedPart(int PartNumber, string ETag, long Size)
{
    public string? ContentMd5 { get; init; }
}

/// <summary>One part of a completion: the number and the identity <c>upload-part</c> or <c>list-parts</c> answered.</summary>
public sealed record CompletedPart(int PartNumber, string ETag);

/// <summary>Completes an upload: the parts in ascending order become the object at once, under <see cref="Conditions"/> as a put would.</summary>
public sealed record CompleteUploadRequest
{
    public required IReadOnlyList<CompletedPart> Parts { get; init; }
    /// <summary>Checked against the target object as a put's conditions are (If-None-Match: * for create-only).</summary>
    public ObjectConditions Conditions { get; init; } = ObjectConditions.None;
    /// <summary>
    /// Base64 MD5 of the whole object when the caller knows it. Local hashes the parts it composes only when this is given,
    /// checks it (BadDigest, nothing written) and keeps it; without it the local object has S3's md5-of-md5s-N ETag and no
    /// MD5. Azure keeps it as the blob's Content-MD5 (it does not check it, so the caller must, e.g. by reading the object
    /// back); S3 ignores it (a multipart object's ETag is its own).
    /// </summary>
    public string? ContentMd5 { get; init; }
    /// <summary>
    /// Metadata entries added, at completion, to those the upload was started with (an entry of the same name wins), for
    /// what is known only once the parts are (the S3 front door's md5-of-md5s ETag and part sizes). Local and Azure keep
    /// them; S3 cannot change an upload's metadata after it started and drops them (its object's ETag is S3's own
    /// md5-of-md5s already).
    /// </summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Parts numbered 1-10,000, strictly ascending, at least one; BadRequest otherwise.</summary>
    public void Validate()
    {
        if (Parts is null || Parts.Count == 0) throw new GatewayException(ErrorCode.BadRequest, "A multipart upload completes with at least one part.");
        var previous = 0;
        foreach (var part in Parts)
        {
            MultipartNames.ValidatePartNumber(part.PartNumber);
            if (part.PartNumber <= previous)
                throw new GatewayException(ErrorCode.BadRequest, "The parts of a completion must be in strictly ascending order of their numbers.");
            if (string.IsNullOrEmpty(part.ETag)) throw new GatewayException(ErrorCode.BadRequest, $"Part {part.PartNumber} has no ETag.");
            previous = part.PartNumber;
        }
    }
}

/// <summary>Rules for upload ids and part numbers, checked on both ends of the channel.</summary>
public static class MultipartNames
{
    public const int MaxParts = 10_000;
    public const int MaxUploadIdLength = 16 * 1024;

    public static void ValidatePartNumber(int partNumber)
    {
        if (partNumber is < 1 or > MaxParts)
            throw new GatewayException(ErrorCode.BadRequest, $"Part numbers are 1-{MaxParts}.");
    }

    /// <summary>Upload ids are the stores' own, so only their shape is checked: printable ASCII without spaces, bounded.</summary>
    public static void ValidateUploadId(string? uploadId)
    {
        if (string.IsNullOrEmpty(uploadId) || uploadId.Length > MaxUploadIdLength)
            throw new GatewayException(ErrorCode.BadRequest, $"An upload id is 1-{MaxUploadIdLength} characters.");
        foreach (var c in uploadId)
        {
            if (c is <= ' ' or > '~')
                throw new GatewayException(ErrorCode.BadRequest, "An upload id is printable ASCII without spaces.");
        }
    }

    /// <summary>The answer of a store for an upload id it does not know (completed, aborted, expired or never started).</summary>
    public static GatewayException NoSuchUpload(string uploadId) =>
        new(ErrorCode.NotFound, $"No multipart upload '{(uploadId.Length > 64 ? uploadId[..64] + "..." : uploadId)}' is in progress for this object.");
}
