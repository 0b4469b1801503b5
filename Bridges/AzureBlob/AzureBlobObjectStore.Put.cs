using Gateway.Bridges.Shared;
using System.Security.Cryptography;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Polly;

namespace Gateway.Bridges.AzureBlob;

/// <summary>Writing a whole object: one Put Blob from a buffer, one streamed Put Blob, or staged blocks.</summary>
public sealed partial class AzureBlobObjectStore
{
    public async Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream content, PutObjectOptions options, CancellationToken ct)
    {
        // A create-only single upload needs no HEAD first: Azure refuses it atomically (If-None-Match: *) before any
        // byte is stored. The HEAD covers what Azure cannot state, and spares a block upload that would fail at commit.
        var createOnlySingle = options.Conditions is { IfMatch: null, IfNoneMatch: ["*"] }
            && options.ContentLength >= 0 && !GoesUpAsBlocks(options.ContentLength);
        if (!options.Conditions.IsEmpty && !createOnlySingle)
            Preconditions.Check(await TryHeadAsync(bucket, key, ct), options.Conditions, isRead: false);

        if (GoesUpAsBlocks(options.ContentLength))
            return await new AzureBlockUpload(Blob(bucket, key), _pipeline, _options, Name).RunAsync(content, options, ct);
        if (options.ContentLength > _options.SingleUploadThresholdBytes)
            return await PutStreamedAsync(bucket, key, content, options, createOnlySingle, ct);

        // Known length: read it all. Unknown length: read up to one block; a full block means it goes on in blocks.
        var limit = (int)(options.ContentLength >= 0 ? options.ContentLength : _options.BlockSizeBytes);
        var buffer = new NativeChunk(Math.Max(limit, 1));
        var handedOver = false;
        try
        {
            var length = await content.ReadAtLeastAsync(buffer.Memory[..limit], limit, throwOnEndOfStream: false, ct);
            if (options.ContentLength < 0 && length == limit)
            {
                handedOver = true;
                await using var whole = new PrefixedStream(buffer.Memory[..length], content, buffer.Dispose);
                return await new AzureBlockUpload(Blob(bucket, key), _pipeline, _options, Name).RunAsync(whole, options, ct);
            }
            var md5 = MD5.HashData(buffer.Memory.Span[..length]);
            if (options.ContentMd5 is { } expected && expected != Convert.ToBase64String(md5)) throw BadDigest();
            var blob = Blob(bucket, key);
            BlobContentInfo response;
            try
            {
                response = await Call(async c => (await blob.UploadAsync(buffer.OpenRead(length), new BlobUploadOptions
                {
                    TransferOptions = OnePutBlob,
                    HttpHeaders = HttpHeaders(options.ContentType, md5, options.ContentHeaders),
                    Metadata = AzureMetadataNames.Stored(options.Metadata, options.ContentHeaders),
                    Conditions = WriteConditions(options.Conditions),
                }, c)).Value, true, $"put '{bucket}/{key}'", ct);
            }
            catch (GatewayException e) when (createOnlySingle && e.Code == ErrorCode.Conflict)
            {
                throw AlreadyExists(e);
            }
            return new ObjectInfo
            {
                Key = key,
                Size = length,
                ETag = Preconditions.Quote(response.ETag.ToString()),
                LastModified = response.LastModified,
                ContentType = options.ContentType,
                ContentMd5 = Convert.ToBase64String(md5),
                Metadata = Lowered(options.Metadata),
                ContentHeaders = ContentHeaders.OrNull(options.ContentHeaders),
            };
        }
        finally
        {
            if (!handedOver) buffer.Dispose();
        }
    }

    /// <summary>
    /// A body of declared length above the single-upload threshold streams as one Put Blob, as the SDK's own upload of a
    /// seekable stream of this size does: nothing is buffered, and the body's MD5 is checked before its last block
    /// leaves, so a mismatch aborts the request and Azure stores nothing. Without a declared MD5 the body is not hashed
    /// here: Azure computes the MD5 of a Put Blob that declares none, keeps it as the blob's Content-MD5 and answers with
    /// it, and that is the one reported. One attempt, outside the pipeline's attempt timeout: the body cannot be
    /// replayed, and a large body takes as long as its sender takes.
    /// </summary>
    async Task<ObjectInfo> PutStreamedAsync(string bucket, string key, Stream content, PutObjectOptions options, bool createOnly, CancellationToken ct)
    {
        await using var checking = options.ContentMd5 is null ? null : new Md5CheckingStream(content, options.ContentMd5);
        var body = (Stream?)checking ?? content;
        var blob = Blob(bucket, key);
        BlobContentInfo response;
        try
        {
            response = await AzureCall.Run(ResiliencePipeline.Empty, Name, async c => (await blob.UploadAsync(new DeclaredLengthStream(body, options.ContentLength), new BlobUploadOptions
            {
                TransferOptions = OnePutBlob,
                HttpHeaders = HttpHeaders(options.ContentType, options.ContentMd5 is { } md5 ? Convert.FromBase64String(md5) : null, options.ContentHeaders),
                Metadata = AzureMetadataNames.Stored(options.Metadata, options.ContentHeaders),
                Conditions = WriteConditions(options.Conditions),
            }, c)).Value, false, $"put '{bucket}/{key}'", ct);
        }
        catch (Exception) when (checking?.DigestMismatch == true)
        {
            throw BadDigest();
        }
        catch (GatewayException e) when (createOnly && e.Code == ErrorCode.Conflict)
        {
            throw AlreadyExists(e);
        }
        return new ObjectInfo
        {
            Key = key,
            Size = options.ContentLength,
            ETag = Preconditions.Quote(response.ETag.ToString()),
            LastModified = response.LastModified,
            ContentType = options.ContentType,
            ContentMd5 = checking?.Md5 ?? (response.ContentHash is { Length: > 0 } stored ? Convert.ToBase64String(stored) : null),
            Metadata = Lowered(options.Metadata),
            ContentHeaders = ContentHeaders.OrNull(options.ContentHeaders),
        };
    }

    /// <summary>
    /// BlockBlobClient.Upload sends one Put Blob only for a body shorter than its single-upload threshold
    /// (InitialTransferSize: 256 MiB unless given, never more than 5,000 MiB); a body of that size or more it stages as
    /// blocks, five at a time, each copied into buffers rented from ArrayPool.Shared, which keeps them. So the threshold
    /// is raised to Azure's limit, and a body of the limit itself goes up through the bridge's own block upload.
    /// </summary>
    static readonly StorageTransferOptions OnePutBlob = new() { InitialTransferSize = AzureBlobStoreOptions.MaxPutBlobBytes };

    bool GoesUpAsBlocks(long contentLength) =>
        contentLength > _options.BlockUploadThresholdBytes || contentLength >= AzureBlobStoreOptions.MaxPutBlobBytes;

    // Azure answers a failed If-None-Match: * with 409 BlobAlreadyExists; every store answers it with 412.
    static GatewayException AlreadyExists(GatewayException e) => new(ErrorCode.PreconditionFailed, "If-None-Match matched an existing object.", e);
}
