using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs.Models;
using Gateway.Bridges.Shared;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Bridges.AzureBlob;

/// <summary>
/// Multipart uploads as staged blocks. Azure has no upload object, so the upload id carries what the commit needs:
/// <c>az1.{random}.{base64url JSON of content type and metadata}</c>. Part n is one block whose id holds the upload's
/// random, n and the part's MD5 (see BlockId), staged with that MD5 checked by Azure; listing the parts is reading the
/// blob's uncommitted block list (a part sent again with other bytes is another block: the completion names the one it
/// means by its ETag, the block id, and listing shows one of them);
/// completing is one Put Block List of the parts' blocks with the headers and conditions, so the blob changes at
/// once. Aborting does nothing: uncommitted blocks are invisible, dropped by the blob's next commit and discarded by
/// the service after a week. An id whose blocks are all gone lists no parts (Azure cannot tell it from a new one).
/// </summary>
public sealed partial class AzureBlobObjectStore
{
    const string UploadIdPrefix = "az1.";

    sealed record UploadFacts(string ContentType, Dictionary<string, string> Metadata, ContentHeaders? Headers = null);

    static readonly JsonSerializerOptions FactsJson = new(JsonSerializerDefaults.Web);

    public Task<StartedUpload> StartMultipartUploadAsync(string bucket, string key, MultipartUploadOptions options, CancellationToken ct)
    {
        var facts = JsonSerializer.SerializeToUtf8Bytes(new UploadFacts(options.ContentType, Lowered(options.Metadata), ContentHeaders.OrNull(options.ContentHeaders)), FactsJson);
        var id = UploadIdPrefix + Guid.NewGuid().ToString("N") + "." + Base64Url(facts);
        if (id.Length > MultipartNames.MaxUploadIdLength)
            throw new GatewayException(ErrorCode.BadRequest, "The upload's metadata is too large for an Azure multipart upload id.");
        return Task.FromResult(new StartedUpload(id));
    }

    public async Task<UploadedPart> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream content, UploadPartOptions options,
        CancellationToken ct)
    {
        var (random, _) = ParseUploadId(uploadId);
        var max = (int)Capabilities.MaxPartBytes;
        using var buffer = new NativeChunk(Math.Max(PartBuffer.Limit(options.ContentLength, max), 1));
        var length = await PartBuffer.ReadAsync(content, buffer.Memory, options.ContentLength, max, ct);
        var md5 = MD5.HashData(buffer.Memory.Span[..length]);
        var blockId = BlockId(random, partNumber, md5);
        var blob = Blob(bucket, key);
        await Call(async c => (await blob.StageBlockAsync(blockId, buffer.OpenRead(length), new Azure.Storage.Blobs.Models.BlockBlobStageBlockOptions
        {
            TransferValidation = new Azure.Storage.UploadTransferValidationOptions
            {
                ChecksumAlgorithm = Azure.Storage.StorageChecksumAlgorithm.MD5,
                PrecalculatedChecksum = md5,
            },
        }, c)).Value, true, $"stage part {partNumber} of '{bucket}/{key}'", ct);
        return new UploadedPart(partNumber, blockId, length) { ContentMd5 = Convert.ToBase64String(md5) };
    }

    public async Task<IReadOnlyList<UploadedPart>> ListPartsAsync(string bucket, string key, string uploadId, CancellationToken ct) =>
        (await StagedPartsAsync(bucket, key, ParseUploadId(uploadId).Random, ct)).Values.OrderBy(p => p.PartNumber).ToList();

    public async Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, CompleteUploadRequest request,
        CancellationToken ct)
    {
        request.Validate();
        var (random, facts) = ParseUploadId(uploadId);
        var staged = await StagedPartsAsync(bucket, key, random, ct);
        foreach (var part in request.Parts)
        {
            if (!staged.TryGetValue(part.PartNumber, out var held))
                throw new GatewayException(ErrorCode.BadRequest, $"Part {part.PartNumber} of the completion is not uploaded; nothing was written.");
            if (held.ETag != part.ETag)
                throw new GatewayException(ErrorCode.BadRequest, $"Part {part.PartNumber} of the completion has another ETag; nothing was written.");
        }
        if (!request.Conditions.IsEmpty)
            Preconditions.Check(await TryHeadAsync(bucket, key, ct), request.Conditions, isRead: false);
        var blob = Blob(bucket, key);
        try
        {
            await Call(async c => (await blob.CommitBlockListAsync(request.Parts.Select(p => p.ETag), new CommitBlockListOptions
            {
                HttpHeaders = HttpHeaders(facts.ContentType, Md5Bytes(request.ContentMd5), facts.Headers),
                Metadata = AzureMetadataNames.Stored(WithAdded(facts.Metadata, request.Metadata), facts.Headers),
                Conditions = WriteConditions(request.Conditions),
            }, c)).Value, false, $"commit '{bucket}/{key}'", ct);
        }
        catch (GatewayException e) when (e.Code == ErrorCode.Conflict && request.Conditions.IfNoneMatch is ["*"])
        {
            // Azure answers a failed If-None-Match: * with 409 BlobAlreadyExists; every store answers it with 412.
            throw new GatewayException(ErrorCode.PreconditionFailed, "If-None-Match matched an existing object.", e);
        }
        return await TryHeadAsync(bucket, key, ct) ?? throw NotFound(bucket, key);
    }

    static Dictionary<string, string> WithAdded(Dictionary<string, string> metadata, IReadOnlyDictionary<string, string>? added)
    {
        if (added is not { Count: > 0 }) return metadata;
        var merged = new Dictionary<string, string>(metadata);
        foreach (var (name, value) in Lowered(added)) merged[name] = value;
        return merged;
    }

    public Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct)
    {
        ParseUploadId(uploadId);
        return Task.CompletedTask;
    }

    async Task<Dictionary<int, UploadedPart>> StagedPartsAsync(string bucket, string key, string random, CancellationToken ct)
    {
        var blob = Blob(bucket, key);
        BlockList list;
        try
        {
            list = await Call(async c => (await blob.GetBlockListAsync(BlockListTypes.Uncommitted, cancellationToken: c)).Value, true,
                $"list parts of '{bucket}/{key}'", ct);
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound)
        {
            return [];
        }
        var parts = new Dictionary<int, UploadedPart>();
        foreach (var block in list.UncommittedBlocks ?? [])
        {
            if (PartOf(block.Name, random) is ({ } n, var md5)) parts[n] = new UploadedPart(n, block.Name, block.SizeLong) { ContentMd5 = md5 };
        }
        return parts;
    }

    static byte[]? Md5Bytes(string? base64)
    {
        if (base64 is null) return null;
        var bytes = new byte[16];
        return Convert.TryFromBase64String(base64, bytes, out var n) && n == 16
            ? bytes
            : throw new GatewayException(ErrorCode.BadRequest, "The completion's Content-MD5 is not a base64 MD5.");
    }

    /// <summary>
    /// "GW1", the upload's 16 random bytes, the part number (4 bytes, big-endian) and the part's MD5: 39 bytes, as long as
    /// the ASCII ids "{random}-{n:D6}" of earlier parts and of the bridge's own block uploads (one id length per blob), and
    /// listing the staged blocks then tells each part's MD5, which Azure's block list does not.
    /// </summary>
    static string BlockId(string random, int partNumber, byte[] md5)
    {
        var id = new byte[39];
        "GW1"u8.CopyTo(id);
        Convert.FromHexString(random).CopyTo(id, 3);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(id.AsSpan(19), partNumber);
        md5.CopyTo(id, 23);
        return Convert.ToBase64String(id);
    }

    /// <summary>The part number of a block of this upload (and its base64 MD5 when the id carries one); null for other blocks.</summary>
    static (int? PartNumber, string? Md5) PartOf(string blockId, string random)
    {
        byte[] raw;
        try { raw = Convert.FromBase64String(blockId); }
        catch (FormatException) { return (null, null); }
        if (raw.Length == 39 && raw.AsSpan(0, 3).SequenceEqual("GW1"u8))
        {
            var n = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(19));
            return Convert.ToHexStringLower(raw, 3, 16) == random && n >= 1 ? (n, Convert.ToBase64String(raw, 23, 16)) : (null, null);
        }
        var name = Encoding.ASCII.GetString(raw);
        return name.Length == random.Length + 7 && name.StartsWith(random + "-", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(random.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var old) && old >= 1
            ? (old, null) : (null, null);
    }

    static (string Random, UploadFacts Facts) ParseUploadId(string uploadId)
    {
        var parts = uploadId.Split('.');
        if (parts.Length == 3 && uploadId.StartsWith(UploadIdPrefix, StringComparison.Ordinal) && parts[1].Length == 32 && parts[1].All(char.IsAsciiHexDigitLower))
        {
            try
            {
                if (JsonSerializer.Deserialize<UploadFacts>(FromBase64Url(parts[2]), FactsJson) is { ContentType: not null, Metadata: not null } facts)
                    return (parts[1], facts);
            }
            catch (Exception e) when (e is FormatException or JsonException) { }
        }
        throw MultipartNames.NoSuchUpload(uploadId);
    }

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}
