using System.Net.Http.Headers;
using System.Security.Cryptography;
using Gateway.Bridges.Resilience;
using Gateway.Bridges.Shared;
using Gateway.Contracts.Errors;
using Gateway.Contracts.IO;
using Gateway.Contracts.ObjectStorage;
using Google;
using Google.Apis.Http;
using Google.Cloud.Storage.V1;
using Polly;
using StorageObject = Google.Apis.Storage.v1.Data.Object;

namespace Gateway.Bridges.Gcs;

/// <summary>
/// Uploads through Google.Cloud.Storage.V1's resumable sessions. A body up to the single-upload threshold is read
/// whole, hashed and sent as one chunk (retried as a whole); a larger one of declared length up to the chunked-upload
/// threshold streams as the whole session in one request; the rest stream chunk by chunk. A declared MD5 is checked
/// before the last byte leaves, so a mismatch or a failure never completes the session and nothing is committed.
/// </summary>
sealed class GcsUpload(GcsClient client, ResiliencePipeline pipeline, GcsStoreOptions options, string store)
{
    public async Task<ObjectInfo> PutAsync(string bucket, string key, Stream content, PutObjectOptions put, GcsPin? pin, CancellationToken ct)
    {
        var operation = $"put '{bucket}/{key}'";
        if (put.ContentLength > options.ChunkedUploadThresholdBytes)
            return await StreamAsync(bucket, key, content, put, pin, operation, ct);
        if (put.ContentLength > options.SingleUploadThresholdBytes)
            return await StreamInOneRequestAsync(bucket, key, content, put, pin, operation, ct);

        // Known length: read it all. Unknown length: read up to the threshold; a full buffer goes on streamed.
        var limit = (int)(put.ContentLength >= 0 ? put.ContentLength : options.SingleUploadThresholdBytes);
        var buffer = new NativeChunk(Math.Max(limit, 1));
        var handedOver = false;
        try
        {
            var length = await content.ReadAtLeastAsync(buffer.Memory[..limit], limit, throwOnEndOfStream: false, ct);
            if (put.ContentLength < 0 && length == limit)
            {
                handedOver = true;
                await using var whole = new PrefixedStream(buffer.Memory[..length], content, buffer.Dispose);
                return await StreamAsync(bucket, key, whole, put, pin, operation, ct);
            }
            var md5 = Convert.ToBase64String(MD5.HashData(buffer.Memory.Span[..length]));
            if (put.ContentMd5 is { } expected && expected != md5)
                throw new GatewayException(ErrorCode.BadDigest, "The body does not match its Content-MD5; nothing was stored.");
            var sdk = await client.GetAsync();
            // One chunk that holds the whole body, so each attempt is one session of two requests.
            var chunk = (int)Math.Max(UploadObjectOptions.MinimumChunkSize, RoundUp(length));
            var uploaded = await pipeline.ExecuteCallAsync(async c =>
            {
                using var body = buffer.OpenRead(length);
                return await Call(() => sdk.UploadObjectAsync(Resource(bucket, key, put, md5), body, Options(pin, chunk), c), operation);
            }, idempotent: true, ct);
            return GcsObject.From(uploaded).Info;
        }
        finally
        {
            if (!handedOver) buffer.Dispose();
        }
    }

    /// <summary>
    /// One attempt, outside the pipeline's attempt timeout: the request body cannot be replayed, and a large body
    /// takes as long as its sender takes. The SDK holds one chunk of it at a time.
    /// </summary>
    async Task<ObjectInfo> StreamAsync(string bucket, string key, Stream content, PutObjectOptions put, GcsPin? pin, string operation, CancellationToken ct)
    {
        var sdk = await client.GetAsync();
        // Hashing only when there is a digest to check: GCS computes and reports the MD5 itself.
        await using var body = put.ContentMd5 is null ? null : new Md5CheckingStream(content, put.ContentMd5);
        var uploaded = await Call(() => sdk.UploadObjectAsync(Resource(bucket, key, put, put.ContentMd5), (Stream?)body ?? content, Options(pin, options.ChunkBytes), ct), operation);
        return GcsObject.From(uploaded).Info;
    }

    /// <summary>
    /// The SDK sends a resumable session only chunk by chunk, reading each chunk whole into a fresh array of the chunk
    /// size (8 MiB, on the large-object heap, for every upload), so a body of declared length goes up as the session's
    /// one and only request instead, streamed: the session is the SDK's (started by its uploader with the object's
    /// resource and conditions), and the PUT goes through the SDK's HTTP client (credentials, handlers) with its retries
    /// off. One attempt, outside the pipeline's attempt timeout, as for a chunked upload.
    /// </summary>
    async Task<ObjectInfo> StreamInOneRequestAsync(string bucket, string key, Stream content, PutObjectOptions put, GcsPin? pin, string operation, CancellationToken ct)
    {
        var sdk = await client.GetAsync();
        await using var body = put.ContentMd5 is null ? null : new Md5CheckingStream(content, put.ContentMd5);
        var source = (Stream?)body ?? content;
        var uploaded = await Call(async () =>
        {
            var session = await sdk.CreateObjectUploader(Resource(bucket, key, put, put.ContentMd5), source, Options(pin, options.ChunkBytes)).InitiateSessionAsync(ct);
            using var request = new HttpRequestMessage(HttpMethod.Put, session) { Content = new StreamContent(new DelegatingReadOnlyStream(source, leaveOpen: true)) };
            request.Content.Headers.ContentLength = put.ContentLength;
            request.Content.Headers.ContentRange = new ContentRangeHeaderValue(0, put.ContentLength - 1, put.ContentLength);
            // The body cannot be sent twice: the SDK's handler would retry a 503 with a stream already read.
            request.Options.Set(new HttpRequestOptionsKey<int>(ConfigurableMessageHandler.MaxRetriesKey), 1);
            using var response = await sdk.Service.HttpClient.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
                throw new GoogleApiException(sdk.Service.Name) { Error = await sdk.Service.DeserializeError(response), HttpStatusCode = response.StatusCode };
            return await sdk.Service.DeserializeResponse<StorageObject>(response);
        }, operation);
        return GcsObject.From(uploaded).Info;
    }

    async ValueTask<StorageObject> Call(Func<Task<StorageObject>> upload, string operation)
    {
        try
        {
            return await upload();
        }
        catch (Exception e) when (GcsErrors.Translate(e, store, operation) is { } translated)
        {
            throw translated;
        }
    }

    static StorageObject Resource(string bucket, string key, PutObjectOptions put, string? md5) => GcsObject.WithHeaders(new StorageObject
    {
        Bucket = bucket,
        Name = key,
        ContentType = put.ContentType,
        Metadata = GcsObject.Metadata(put.Metadata, put.ContentHeaders),
        // GCS checks the body against it before it commits the object.
        Md5Hash = md5,
    }, put.ContentHeaders);

    // The bridge checks the caller's Content-MD5 before the last byte leaves; the SDK's own check runs after the
    // object is committed (and would delete it), and would hash every byte a second time.
    static UploadObjectOptions Options(GcsPin? pin, int chunk) => new()
    {
        ChunkSize = chunk,
        IfGenerationMatch = pin?.Generation,
        IfMetagenerationMatch = pin?.Metageneration,
        UploadValidationMode = UploadValidationMode.None,
    };

    static long RoundUp(long length) =>
        (length + UploadObjectOptions.MinimumChunkSize - 1) / UploadObjectOptions.MinimumChunkSize * UploadObjectOptions.MinimumChunkSize;
}

/// <summary>The version an operation is pinned to: generation 0 means "must not exist"; a metageneration also pins the metadata.</summary>
sealed record GcsPin(long Generation, long? Metageneration)
{
    public static GcsPin For(GcsObject? current) => current is null ? new(0, null) : new(current.Generation, current.Metageneration);
}
