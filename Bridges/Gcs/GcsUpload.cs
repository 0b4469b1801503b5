using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Polly;

namespace Gateway.Bridges.Gcs;

/// <summary>
/// Uploads through the JSON API: small bodies in one multipart request, larger ones through a resumable session,
/// streamed in one request (known length) or in retried chunks, with memory bounded either way. The MD5 is checked
/// before the last byte leaves, so a mismatch or a failure never commits the object.
/// </summary>
sealed class GcsUpload(HttpClient http, GcsCredentials credentials, ResiliencePipeline pipeline, GcsStoreOptions options, string store, string uploadRoot, ArrayPool<byte> buffers)
{
    internal const int DefaultChunkBytes = 8 * 1024 * 1024;

    public async Task<ObjectInfo> MultipartAsync(string bucket, string key, byte[] buffer, int length, string md5, PutObjectOptions put, long? ifGeneration, CancellationToken ct)
    {
        var url = $"{uploadRoot}/b/{GcsObjectStore.Esc(bucket)}/o?uploadType=multipart" + (ifGeneration is { } g ? $"&ifGenerationMatch={g}" : "");
        using var response = await GcsCall.SendAsync(http, credentials, pipeline, store, () =>
        {
            var boundary = "gateway-" + Guid.NewGuid().ToString("N");
            var body = new MultipartContent("related", boundary) { GcsObjectStore.Json(Resource(key, put, md5)) };
            var media = new ByteArrayContent(buffer, 0, length);
            media.Headers.ContentType = MediaType(put.ContentType);
            body.Add(media);
            // Some JSON API servers only read an unquoted boundary parameter.
            body.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/related; boundary={boundary}");
            return new HttpRequestMessage(HttpMethod.Post, url) { Content = body };
        }, true, $"put '{bucket}/{key}'", ct);
        return await ParseAsync(response, ct);
    }

    public async Task<ObjectInfo> ResumableAsync(string bucket, string key, Stream content, PutObjectOptions put, long? ifGeneration, CancellationToken ct)
    {
        var url = $"{uploadRoot}/b/{GcsObjectStore.Esc(bucket)}/o?uploadType=resumable&name={GcsObjectStore.Esc(key)}" + (ifGeneration is { } g ? $"&ifGenerationMatch={g}" : "");
        Uri session;
        using (var started = await GcsCall.SendAsync(http, credentials, pipeline, store, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = GcsObjectStore.Json(Resource(key, put, put.ContentMd5)) };
            request.Headers.TryAddWithoutValidation("X-Upload-Content-Type", put.ContentType);
            if (put.ContentLength >= 0) request.Headers.TryAddWithoutValidation("X-Upload-Content-Length", put.ContentLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return request;
        }, true, $"start upload of '{bucket}/{key}'", ct))
        {
            session = started.Headers.Location ?? throw new GatewayException(ErrorCode.Unavailable, $"GCS store '{store}': the upload session has no location.");
        }
        try
        {
            return put.ContentLength >= 0 && options.ResumableChunkBytes == 0
                ? await StreamAsync(session, bucket, key, content, put, ct)
                : await ChunksAsync(session, bucket, key, content, put, ct);
        }
        catch (Exception e)
        {
            await CancelAsync(session);
            if (Unwrap(e) is { } gateway && gateway != e) throw gateway;
            throw;
        }
    }

    /// <summary>The whole body in one request, as Google advises: no retry from the middle, but no buffering either.</summary>
    async Task<ObjectInfo> StreamAsync(Uri session, string bucket, string key, Stream content, PutObjectOptions put, CancellationToken ct)
    {
        await using var checking = new Md5CheckingStream(content, put.ContentMd5);
        using var request = new HttpRequestMessage(HttpMethod.Put, session) { Content = new StreamContent(checking, 256 * 1024) };
        request.Content.Headers.ContentLength = put.ContentLength;
        request.Content.Headers.ContentType = MediaType(put.ContentType);
        if (await credentials.AuthorizationAsync(ct) is { } authorization) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode) throw await GcsErrors.FromResponseAsync(response, store, $"upload '{bucket}/{key}'", ct);
        return await ParseAsync(response, ct);
    }

    /// <summary>Chunks of a fixed size, each retried on its own; the next chunk is read before the current one goes, to know which is last.</summary>
    async Task<ObjectInfo> ChunksAsync(Uri session, string bucket, string key, Stream content, PutObjectOptions put, CancellationToken ct)
    {
        var chunk = options.ResumableChunkBytes > 0 ? options.ResumableChunkBytes : DefaultChunkBytes;
        var current = buffers.Rent(chunk);
        var ahead = buffers.Rent(chunk);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        try
        {
            var currentLength = await content.ReadAtLeastAsync(current.AsMemory(0, chunk), chunk, throwOnEndOfStream: false, ct);
            md5.AppendData(current, 0, currentLength);
            long offset = 0;
            while (true)
            {
                var aheadLength = currentLength == chunk ? await content.ReadAtLeastAsync(ahead.AsMemory(0, chunk), chunk, throwOnEndOfStream: false, ct) : 0;
                md5.AppendData(ahead, 0, aheadLength);
                var last = aheadLength == 0;
                if (last && put.ContentMd5 is { } expected && expected != Convert.ToBase64String(md5.GetHashAndReset()))
                    throw new GatewayException(ErrorCode.BadDigest, "The body does not match its Content-MD5; nothing was stored.");
                var range = currentLength > 0
                    ? $"bytes {offset}-{offset + currentLength - 1}/{(last ? (offset + currentLength).ToString(System.Globalization.CultureInfo.InvariantCulture) : "*")}"
                    : $"bytes */{offset}";
                var body = current;
                var bodyLength = currentLength;
                var response = await GcsCall.SendAsync(http, credentials, pipeline, store, () =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Put, session) { Content = new ByteArrayContent(body, 0, bodyLength) };
                    request.Content.Headers.TryAddWithoutValidation("Content-Range", range);
                    return request;
                }, true, $"upload '{bucket}/{key}'", ct);
                using (response)
                {
                    if (last) return await ParseAsync(response, ct);
                    if ((int)response.StatusCode != 308)
                        throw new GatewayException(ErrorCode.Unavailable, $"GCS store '{store}': the upload of '{bucket}/{key}' ended before its last chunk.");
                }
                offset += currentLength;
                (current, ahead) = (ahead, current);
                currentLength = aheadLength;
            }
        }
        finally
        {
            buffers.Return(current);
            buffers.Return(ahead);
        }
    }

    async Task CancelAsync(Uri session)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, session);
            if (await credentials.AuthorizationAsync(CancellationToken.None) is { } authorization) request.Headers.TryAddWithoutValidation("Authorization", authorization);
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var _ = await http.SendAsync(request, cancel.Token);
        }
        catch (Exception)
        {
            // Best effort: an abandoned session expires on its own after a week and never becomes an object.
        }
    }

    static GatewayException? Unwrap(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is GatewayException g) return g;
        return null;
    }

    static Dictionary<string, object?> Resource(string key, PutObjectOptions put, string? md5)
    {
        var resource = new Dictionary<string, object?>
        {
            ["name"] = key,
            ["contentType"] = put.ContentType,
            ["metadata"] = put.Metadata.ToDictionary(kv => kv.Key.ToLowerInvariant(), kv => kv.Value),
        };
        // The service checks the body against it before committing.
        if (md5 is not null) resource["md5Hash"] = md5;
        return resource;
    }

    static MediaTypeHeaderValue MediaType(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed : new MediaTypeHeaderValue("application/octet-stream");

    static async Task<ObjectInfo> ParseAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        return GcsObject.Parse(doc.RootElement).Info;
    }
}
