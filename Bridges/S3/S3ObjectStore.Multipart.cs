using System.Security.Cryptography;
using Amazon.S3.Model;
using Gateway.Bridges.Shared;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Bridges.S3;

/// <summary>
/// The multipart operations as S3's own: CreateMultipartUpload, UploadPart, ListParts, CompleteMultipartUpload and
/// AbortMultipartUpload. The upload id is S3's. A part is read into one pooled buffer (at most
/// <see cref="StoreCapabilities.MaxPartBytes"/>) and sent with its Content-MD5, so S3 refuses bytes that changed on the
/// way; its ETag is then that MD5.
/// </summary>
public sealed partial class S3ObjectStore
{
    public async Task<StartedUpload> StartMultipartUploadAsync(string bucket, string key, MultipartUploadOptions options, CancellationToken ct)
    {
        var initiate = new InitiateMultipartUploadRequest { BucketName = bucket, Key = key, ContentType = options.ContentType };
        S3Metadata.Write(initiate.Metadata, options.Metadata);
        S3Metadata.WriteHeaders(initiate.Headers, options.ContentHeaders);
        var started = await Call(c => _client.InitiateMultipartUploadAsync(initiate, c), false, $"start upload of '{bucket}/{key}'", ct);
        return new StartedUpload(started.UploadId);
    }

    public async Task<UploadedPart> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream content, UploadPartOptions options,
        CancellationToken ct)
    {
        var max = (int)Capabilities.MaxPartBytes;
        using var buffer = new NativeChunk(Math.Max(PartBuffer.Limit(options.ContentLength, max), 1));
        var length = await PartBuffer.ReadAsync(content, buffer.Memory, options.ContentLength, max, ct);
        var md5 = Convert.ToBase64String(MD5.HashData(buffer.Memory.Span[..length]));
        var response = await Call(c => _client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = bucket,
            Key = key,
            UploadId = uploadId,
            PartNumber = partNumber,
            InputStream = buffer.OpenRead(length),
            PartSize = length,
            MD5Digest = md5,
            UseChunkEncoding = !_options.PlainPayloads,
        }, c), true, $"upload part {partNumber} of '{bucket}/{key}'", ct);
        return new UploadedPart(partNumber, S3Metadata.ETag(response.ETag), length) { ContentMd5 = md5 };
    }

    public async Task<IReadOnlyList<UploadedPart>> ListPartsAsync(string bucket, string key, string uploadId, CancellationToken ct)
    {
        var parts = new List<UploadedPart>();
        string? marker = null;
        while (true)
        {
            var request = new ListPartsRequest { BucketName = bucket, Key = key, UploadId = uploadId, PartNumberMarker = marker };
            var page = await Call(c => _client.ListPartsAsync(request, c), true, $"list parts of '{bucket}/{key}'", ct);
            foreach (var part in page.Parts ?? [])
            {
                parts.Add(new UploadedPart(part.PartNumber ?? 0, S3Metadata.ETag(part.ETag), part.Size ?? 0)
                {
                    ContentMd5 = S3Metadata.Md5FromETag(part.ETag ?? ""),
                });
            }
            if (page.IsTruncated != true || page.NextPartNumberMarker is not { } next || next.ToString() == marker) break;
            marker = next.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        parts.Sort((a, b) => a.PartNumber.CompareTo(b.PartNumber));
        return parts;
    }

    public async Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, CompleteUploadRequest request,
        CancellationToken ct)
    {
        request.Validate();
        // As a put: checked here so services that ignore the conditions answer alike, and sent along for S3 to enforce atomically.
        if (!request.Conditions.IsEmpty)
            Preconditions.Check(await TryHeadAsync(bucket, key, ct), request.Conditions, isRead: false);
        // request.Metadata is dropped: S3 fixes an upload's metadata when it starts (see CompleteUploadRequest.Metadata).
        var complete = new Amazon.S3.Model.CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = key,
            UploadId = uploadId,
            PartETags = [.. request.Parts.Select(p => new PartETag(p.PartNumber, p.ETag))],
        };
        if (request.Conditions.IfNoneMatch is ["*"]) complete.IfNoneMatch = "*";
        if (request.Conditions.IfMatch is [var single] && single != "*") complete.IfMatch = single;
        await Call(c => _client.CompleteMultipartUploadAsync(complete, c), false, $"complete upload of '{bucket}/{key}'", ct);
        return await TryHeadAsync(bucket, key, ct) ?? throw NotFound(bucket, key);
    }

    public Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct) =>
        AbortAsync(bucket, key, uploadId, ct);

    async Task AbortAsync(string bucket, string key, string uploadId, CancellationToken ct)
    {
        try
        {
            await Call(c => _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId }, c),
                true, $"abort upload of '{bucket}/{key}'", ct);
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound)
        {
            // Already gone (completed, aborted, expired): aborting is idempotent.
        }
    }
}
