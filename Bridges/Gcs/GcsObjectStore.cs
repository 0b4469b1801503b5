using Gateway.Bridges.Shared;
using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Bridges.Resilience;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Polly;

namespace Gateway.Bridges.Gcs;

/// <summary>Google Cloud Storage behind the object-store contract, over the JSON API with plain HttpClient.</summary>
public sealed class GcsObjectStore : IObjectStore, IDisposable
{
    readonly GcsStoreOptions _options;
    readonly ResiliencePipeline _pipeline;
    readonly HttpClient _http;
    readonly GcsCredentials _credentials;
    readonly string _api;
    readonly string _upload;
    // A pool per store, not ArrayPool.Shared, which keeps a buffer per thread: with multi-megabyte buffers
    // returned on many threads that alone held ~100 MB after a few uploads.
    readonly ArrayPool<byte> _buffers;

    public GcsObjectStore(string name, GcsStoreOptions options, ResiliencePipeline pipeline)
    {
        Name = name;
        _options = options;
        _pipeline = pipeline;
        _credentials = new GcsCredentials(options);
        _http = CreateHttpClient();
        _buffers = ArrayPool<byte>.Create((int)Math.Max(options.SingleUploadThresholdBytes, Math.Max(options.ResumableChunkBytes, GcsUpload.DefaultChunkBytes)), 4);
        var root = options.Endpoint.TrimEnd('/');
        _api = root + "/storage/v1";
        _upload = root + "/upload/storage/v1";
        Capabilities = new StoreCapabilities
        {
            Hashes = ["md5", "crc32c"],
            MaxObjectBytes = 5L << 40,
            MultipartThresholdBytes = options.SingleUploadThresholdBytes,
        };
    }

    public string Name { get; }
    public string Kind => GcsStoreFactory.KindName;
    public StoreCapabilities Capabilities { get; }

    /// <summary>The HTTP client as the bridge configures it (benchmarks use the same for the direct baseline).</summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    public async Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct)
    {
        var project = RequireProject();
        var buckets = new List<BucketInfo>();
        string? token = null;
        do
        {
            var url = $"{_api}/b?project={Esc(project)}&maxResults=1000" + (token is null ? "" : $"&pageToken={Esc(token)}");
            using var doc = await GetJsonAsync(url, "list buckets", ct);
            if (doc.RootElement.TryGetProperty("items", out var items))
                foreach (var b in items.EnumerateArray())
                    buckets.Add(new BucketInfo(b.GetProperty("name").GetString()!,
                        b.TryGetProperty("timeCreated", out var t) && t.GetString() is { } s ? DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : null));
            token = doc.RootElement.TryGetProperty("nextPageToken", out var next) ? next.GetString() : null;
        } while (!string.IsNullOrEmpty(token));
        return buckets;
    }

    public async Task CreateBucketAsync(string bucket, CancellationToken ct)
    {
        var project = RequireProject();
        using var _ = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, $"{_api}/b?project={Esc(project)}")
        {
            Content = Json(new Dictionary<string, object?> { ["name"] = bucket }),
        }, false, $"create bucket '{bucket}'", ct);
    }

    public async Task DeleteBucketAsync(string bucket, CancellationToken ct)
    {
        using var _ = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, $"{_api}/b/{Esc(bucket)}"), true, $"delete bucket '{bucket}'", ct);
    }

    public async Task<ObjectListing> ListObjectsAsync(string bucket, ListObjectsRequest request, CancellationToken ct)
    {
        var url = new StringBuilder($"{_api}/b/{Esc(bucket)}/o?maxResults={Math.Clamp(request.PageSize, 1, 1000)}");
        if (!string.IsNullOrEmpty(request.Prefix)) url.Append("&prefix=").Append(Esc(request.Prefix));
        if (!string.IsNullOrEmpty(request.Delimiter)) url.Append("&delimiter=").Append(Esc(request.Delimiter));
        if (!string.IsNullOrEmpty(request.PageToken)) url.Append("&pageToken=").Append(Esc(PageTokens.Unwrap("gs", request.PageToken)));
        using var doc = await GetJsonAsync(url.ToString(), $"list objects in '{bucket}'", ct);
        var root = doc.RootElement;
        var objects = root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray().Select(o => GcsObject.Parse(o).Info).ToList() : [];
        var prefixes = root.TryGetProperty("prefixes", out var p) && p.ValueKind == JsonValueKind.Array
            ? p.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
        var next = root.TryGetProperty("nextPageToken", out var n) && n.GetString() is { Length: > 0 } token ? PageTokens.Wrap("gs", token) : null;
        return new ObjectListing(objects, prefixes, next);
    }

    public async Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct) =>
        (await HeadCheckedAsync(bucket, key, conditions, ct)).Info;

    async Task<GcsObject> HeadCheckedAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct)
    {
        var current = await TryHeadAsync(bucket, key, ct);
        if (current is null)
        {
            if (conditions.IfMatch is not null) Preconditions.Check(null, conditions, isRead: true);
            throw NotFound(bucket, key);
        }
        Preconditions.Check(current.Info, conditions, isRead: true);
        return current;
    }

    public async Task<ObjectContent> GetObjectAsync(string bucket, string key, GetObjectOptions options, CancellationToken ct)
    {
        // Media downloads carry no user metadata: read the resource first, then the bytes of exactly that generation.
        var current = await HeadCheckedAsync(bucket, key, options.Conditions, ct);
        var info = current.Info;
        (long Offset, long Length)? range = null;
        if (options.Range is { } requested)
        {
            range = requested.Resolve(info.Size) ?? throw new GatewayException(ErrorCode.RangeNotSatisfiable, "The range is not satisfiable for this object.")
            {
                Extensions = new Dictionary<string, object?> { ["size"] = info.Size },
            };
        }
        var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"{ObjectUrl(bucket, key)}?alt=media&ifGenerationMatch={current.Generation}");
            if (range is { } r) request.Headers.Range = new RangeHeaderValue(r.Offset, r.Offset + r.Length - 1);
            return request;
        }, true, $"get '{bucket}/{key}'", ct, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStreamAsync(ct);
        var contentRange = response.Content.Headers.ContentRange;
        if (response.StatusCode == HttpStatusCode.PartialContent && contentRange is { From: { } from, To: { } to })
            return new ObjectContent(info, body, from, to - from + 1, isPartial: true);
        return new ObjectContent(info, body, 0, response.Content.Headers.ContentLength ?? info.Size, isPartial: false);
    }

    public async Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream content, PutObjectOptions options, CancellationToken ct)
    {
        long? ifGeneration = null;
        if (!options.Conditions.IsEmpty)
        {
            var current = await TryHeadAsync(bucket, key, ct);
            Preconditions.Check(current?.Info, options.Conditions, isRead: false);
            // The service enforces the same condition atomically: generation 0 means "does not exist yet".
            ifGeneration = current?.Generation ?? 0;
        }

        var upload = new GcsUpload(_http, _credentials, _pipeline, _options, Name, _upload, _buffers);
        if (options.ContentLength > _options.SingleUploadThresholdBytes)
            return await upload.ResumableAsync(bucket, key, content, options, ifGeneration, ct);

        // Known length: read it all. Unknown length: read up to the threshold; a full buffer goes on as a resumable upload.
        var limit = (int)(options.ContentLength >= 0 ? options.ContentLength : _options.SingleUploadThresholdBytes);
        var buffer = _buffers.Rent(Math.Max(limit, 1)); // a pool rejects the empty array back
        var handedOver = false;
        try
        {
            var length = await content.ReadAtLeastAsync(buffer.AsMemory(0, limit), limit, throwOnEndOfStream: false, ct);
            if (options.ContentLength < 0 && length == limit)
            {
                handedOver = true;
                await using var whole = new PrefixedStream(buffer, length, content, () => _buffers.Return(buffer));
                return await upload.ResumableAsync(bucket, key, whole, options, ifGeneration, ct);
            }
            var md5 = Convert.ToBase64String(MD5.HashData(buffer.AsSpan(0, length)));
            if (options.ContentMd5 is { } expected && expected != md5)
                throw new GatewayException(ErrorCode.BadDigest, "The body does not match its Content-MD5; nothing was stored.");
            return await upload.MultipartAsync(bucket, key, buffer, length, md5, options, ifGeneration, ct);
        }
        finally
        {
            if (!handedOver) _buffers.Return(buffer);
        }
    }

    public async Task DeleteObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct)
    {
        var url = ObjectUrl(bucket, key);
        if (!conditions.IsEmpty)
        {
            var current = await TryHeadAsync(bucket, key, ct);
            Preconditions.Check(current?.Info, conditions, isRead: false);
            if (current is null) return;
            url += $"?ifGenerationMatch={current.Generation}";
        }
        using var _ = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, url), true, $"delete '{bucket}/{key}'", ct,
            accept: status => status == HttpStatusCode.NotFound);
    }

    public async Task<ObjectInfo> CopyObjectAsync(CopyObjectRequest request, CancellationToken ct)
    {
        var source = await TryHeadAsync(request.SourceBucket, request.SourceKey, ct) ?? throw NotFound(request.SourceBucket, request.SourceKey);
        Preconditions.Check(source.Info, request.SourceConditions, isRead: false);
        var url = $"{ObjectUrl(request.SourceBucket, request.SourceKey)}/copyTo/b/{Esc(request.TargetBucket)}/o/{Esc(request.TargetKey)}?ifSourceGenerationMatch={source.Generation}";
        if (!request.TargetConditions.IsEmpty)
        {
            var target = await TryHeadAsync(request.TargetBucket, request.TargetKey, ct);
            Preconditions.Check(target?.Info, request.TargetConditions, isRead: false);
            url += $"&ifGenerationMatch={target?.Generation ?? 0}";
        }
        var body = new Dictionary<string, object?>();
        if (request.MetadataDirective == MetadataDirective.Replace)
        {
            body["contentType"] = request.ContentType ?? source.Info.ContentType;
            body["metadata"] = (request.Metadata ?? new Dictionary<string, string>()).ToDictionary(kv => kv.Key.ToLowerInvariant(), kv => kv.Value);
        }
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, url) { Content = Json(body) },
            true, $"copy '{request.SourceBucket}/{request.SourceKey}'", ct);
        using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        return GcsObject.Parse(doc.RootElement).Info;
    }

    async Task<GcsObject?> TryHeadAsync(string bucket, string key, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, ObjectUrl(bucket, key)), true, $"head '{bucket}/{key}'", ct,
            accept: status => status == HttpStatusCode.NotFound);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        return GcsObject.Parse(doc.RootElement);
    }

    async Task<JsonDocument> GetJsonAsync(string url, string operation, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url), true, operation, ct);
        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
    }

    Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, bool idempotent, string operation, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, Func<HttpStatusCode, bool>? accept = null) =>
        GcsCall.SendAsync(_http, _credentials, _pipeline, Name, build, idempotent, operation, ct, completion, accept);

    string ObjectUrl(string bucket, string key) => $"{_api}/b/{Esc(bucket)}/o/{Esc(key)}";

    string RequireProject() => _options.ProjectId is { Length: > 0 } project ? project
        : throw new GatewayException(ErrorCode.NotSupported, $"GCS store '{Name}' has no ProjectId setting, which listing and creating buckets need.");

    internal static string Esc(string value) => Uri.EscapeDataString(value);

    internal static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    GatewayException NotFound(string bucket, string key) => new(ErrorCode.NotFound, $"GCS store '{Name}': object '{bucket}/{key}' not found.");

    public void Dispose() => _http.Dispose();
}

static class GcsCall
{
    /// <summary>One JSON API call inside the bridge's pipeline; error answers become gateway errors (retried when transient).</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, GcsCredentials credentials, ResiliencePipeline pipeline, string store,
        Func<HttpRequestMessage> build, bool idempotent, string operation, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, Func<HttpStatusCode, bool>? accept = null) =>
        await pipeline.ExecuteCallAsync(async c =>
        {
            using var request = build();
            if (await credentials.AuthorizationAsync(c) is { } authorization)
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            var response = await http.SendAsync(request, completion, c);
            if (response.IsSuccessStatusCode || (int)response.StatusCode == 308 || accept?.Invoke(response.StatusCode) == true) return response;
            using (response) throw await GcsErrors.FromResponseAsync(response, store, operation, c);
        }, idempotent, ct);
}
