using System.Globalization;
using Gateway.Bridges.Shared;
using System.Security.Cryptography;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Gateway.Bridges.Resilience;
using Gateway.Contracts.Errors;
using Gateway.Contracts.IO;
using Gateway.Contracts.ObjectStorage;
using Polly;
using BucketInfo = Gateway.Contracts.ObjectStorage.BucketInfo;
using CopyObjectRequest = Gateway.Contracts.ObjectStorage.CopyObjectRequest;
using ListObjectsRequest = Gateway.Contracts.ObjectStorage.ListObjectsRequest;

namespace Gateway.Bridges.S3;

/// <summary>An S3 bucket namespace behind the object-store contract, on the AWS SDK.</summary>
public sealed partial class S3ObjectStore : IObjectStore, IDisposable
{
    readonly S3StoreOptions _options;
    readonly ResiliencePipeline _pipeline;
    readonly IAmazonS3 _client;

    public S3ObjectStore(string name, S3StoreOptions options, ResiliencePipeline pipeline)
    {
        Name = name;
        _options = options;
        _pipeline = pipeline;
        _client = CreateClient(options);
        Capabilities = new StoreCapabilities
        {
            Hashes = ["md5"],
            MaxObjectBytes = 5L << 40, // with a declared length; a body of unknown length is limited to PartSizeBytes × 10,000
            MultipartThresholdBytes = options.MultipartThresholdBytes,
            MultipartUploads = true,
            MinPartBytes = 5L * 1024 * 1024,
            // A part is held in memory while it is sent (one NativeChunk), so parts are at most one buffer.
            MaxPartBytes = PartBufferBytes(options),
        };
    }

    // Buffers hold a part of a streamed multipart upload, a body of up to one part, or a part of the native multipart
    // operations (at most MaxPartBytes, which front-door clients and migrations size their parts by).
    static int PartBufferBytes(S3StoreOptions options) => Math.Max(S3StoreOptions.BufferedPartBytes, options.PartSizeBytes);

    public string Name { get; }
    public string Kind => S3StoreFactory.KindName;

    /// <summary>The client's endpoint cache (tests count how often the SDK's endpoint rules ran).</summary>
    internal S3EndpointCache Endpoints => (S3EndpointCache)((ClientConfig)_client.Config).EndpointProvider;
    public StoreCapabilities Capabilities { get; }

    /// <summary>The SDK client exactly as the bridge configures it (benchmarks use it for the direct baseline).</summary>
    public static IAmazonS3 CreateClient(S3StoreOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            // Retries belong to the bridge's Polly pipeline, which knows which calls are idempotent.
            MaxErrorRetry = 0,
            Timeout = Timeout.InfiniteTimeSpan,
            // No redirect is followed (BridgeS3Client removes the SDK's own handler of S3's 307).
            AllowAutoRedirect = false,
        };
        config.EndpointProvider = new S3EndpointCache(config.EndpointProvider ?? new Amazon.S3.Internal.AmazonS3EndpointProvider());
        if (!string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }
        else config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        if (options.PlainPayloads)
        {
            // Flexible checksums travel as aws-chunked trailers; only send them when an operation requires it.
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }
        if (string.IsNullOrEmpty(options.AccessKeyId))
            return options.PlainPayloads ? new PlainPayloadS3Client(config) : new BridgeS3Client(config);
        AWSCredentials credentials = string.IsNullOrEmpty(options.SessionToken)
            ? new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey)
            : new SessionAWSCredentials(options.AccessKeyId, options.SecretAccessKey, options.SessionToken);
        return options.PlainPayloads ? new PlainPayloadS3Client(credentials, config) : new BridgeS3Client(credentials, config);
    }

    public async Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct)
    {
        var response = await Call(c => _client.ListBucketsAsync(new ListBucketsRequest(), c), true, "list buckets", ct);
        return (response.Buckets ?? []).Select(b => new BucketInfo(b.BucketName, b.CreationDate is { } d ? S3Metadata.Time(d) : null)).ToList();
    }

    /// <summary>
    /// S3 in us-east-1 answers its owner's re-creation of a bucket 200 (a legacy rule; other regions say
    /// BucketAlreadyOwnedByYou), so an existing bucket is looked for first: the facade answers it 409 on every store.
    /// </summary>
    public async Task CreateBucketAsync(string bucket, CancellationToken ct)
    {
        if (await ListsAsync(bucket, ct)) throw new GatewayException(ErrorCode.Conflict, $"Bucket '{bucket}' already exists.");
        await Call(c => _client.PutBucketAsync(new PutBucketRequest { BucketName = bucket, UseClientRegion = true }, c), false, $"create bucket '{bucket}'", ct);
    }

    /// <summary>Whether this client can list the bucket; a name it cannot see is left to PutBucket to answer.</summary>
    private async Task<bool> ListsAsync(string bucket, CancellationToken ct)
    {
        try
        {
            await ListObjectsAsync(bucket, new ListObjectsRequest { PageSize = 1 }, ct);
            return true;
        }
        catch (GatewayException e) when (e.Code is ErrorCode.NotFound or ErrorCode.Forbidden) { return false; }
    }

    public Task DeleteBucketAsync(string bucket, CancellationToken ct) =>
        Call(c => _client.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucket }, c), true, $"delete bucket '{bucket}'", ct);

    public async Task<ObjectListing> ListObjectsAsync(string bucket, ListObjectsRequest request, CancellationToken ct)
    {
        var s3Request = new ListObjectsV2Request
        {
            BucketName = bucket,
            Prefix = string.IsNullOrEmpty(request.Prefix) ? null : request.Prefix,
            Delimiter = string.IsNullOrEmpty(request.Delimiter) ? null : request.Delimiter,
            MaxKeys = Math.Clamp(request.PageSize, 1, 1000),
            ContinuationToken = string.IsNullOrEmpty(request.PageToken) ? null : PageTokens.Unwrap("s3", request.PageToken),
        };
        var response = await Call(c => _client.ListObjectsV2Async(s3Request, c), true, $"list objects in '{bucket}'", ct);
        var objects = (response.S3Objects ?? []).Select(o => new ObjectInfo
        {
            Key = o.Key,
            Size = o.Size ?? 0,
            ETag = S3Metadata.ETag(o.ETag),
            LastModified = S3Metadata.Time(o.LastModified),
            ContentMd5 = S3Metadata.Md5FromETag(o.ETag ?? ""),
        }).ToList();
        var next = response.IsTruncated == true && !string.IsNullOrEmpty(response.NextContinuationToken) ? PageTokens.Wrap("s3", response.NextContinuationToken) : null;
        return new ObjectListing(objects, response.CommonPrefixes ?? [], next);
    }

    public async Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct) =>
        Preconditions.CheckRead(await TryHeadAsync(bucket, key, ct), conditions, () => NotFound(bucket, key));

    public async Task<ObjectContent> GetObjectAsync(string bucket, string key, GetObjectOptions options, CancellationToken ct)
    {
        var request = new GetObjectRequest { BucketName = bucket, Key = key };
        if (!options.Conditions.IsEmpty)
        {
            // Evaluated here so every store answers alike; the read is then pinned to the version that passed.
            var current = await HeadObjectAsync(bucket, key, options.Conditions, ct);
            request.EtagToMatch = current.ETag;
        }
        var whole = options.Range is null;
        if (options.Range is { } range)
        {
            request.ByteRange = new Amazon.S3.Model.ByteRange(range.SuffixLength is { } n ? $"bytes=-{n}" : $"bytes={range.From ?? 0}-{range.To?.ToString() ?? ""}");
        }
        else
        {
            // The whole object as the range 0-: without a range AWSSDK.S3 checks the body against the ETag with a
            // managed MD5, about a quarter of the CPU a gateway spends on an S3 GET; S3Md5VerifyingStream makes
            // the same check with the platform's MD5.
            request.ByteRange = new Amazon.S3.Model.ByteRange("bytes=0-");
        }
        GetObjectResponse response;
        try
        {
            response = await Call(c => _client.GetObjectAsync(request, c), true, $"get '{bucket}/{key}'", ct);
        }
        catch (GatewayException e) when (e.Code == ErrorCode.RangeNotSatisfiable && whole)
        {
            // An empty object has no byte 0: S3 answers the range 0- with 416, so it is fetched without a range.
            request.ByteRange = null;
            response = await Call(c => _client.GetObjectAsync(request, c), true, $"get '{bucket}/{key}'", ct);
        }
        catch (GatewayException e) when (e.Code == ErrorCode.RangeNotSatisfiable)
        {
            var size = (await TryHeadAsync(bucket, key, ct))?.Size;
            throw new GatewayException(ErrorCode.RangeNotSatisfiable, e.Message, e) { Extensions = new Dictionary<string, object?> { ["size"] = size } };
        }
        var partial = S3Metadata.ParseContentRange(response.ContentRange);
        var total = partial is { Total: >= 0 } p ? p.Total : response.ContentLength;
        var info = new ObjectInfo
        {
            Key = key,
            Size = total,
            ETag = S3Metadata.ETag(response.ETag),
            LastModified = S3Metadata.Time(response.LastModified),
            ContentType = response.Headers.ContentType ?? "application/octet-stream",
            ContentMd5 = S3Metadata.Md5FromETag(response.ETag, response.ServerSideEncryptionMethod, response.ServerSideEncryptionCustomerMethod),
            Metadata = S3Metadata.Read(response.Metadata),
            ContentHeaders = S3Metadata.ReadHeaders(response.Headers, response.ExpiresString),
        };
        if (whole && partial is { Total: 0 })
        {
            // s3rver answers the range 0- of an empty object with 206 "bytes 0-0/0" and a Content-Length of 1 it never
            // sends (S3 answers 416, handled above): the object is empty, so nothing is read.
            response.Dispose();
            return new ObjectContent(info with { Size = 0 }, Stream.Null, 0, 0, isPartial: false);
        }
        if (whole)
        {
            // Only where the ETag is the body's MD5 (AWSSDK skips the others too).
            var body = request.ByteRange is not null && info.ContentMd5 is { } md5
                ? new S3Md5VerifyingStream(response.ResponseStream, md5)
                : response.ResponseStream;
            return new ObjectContent(info, body, 0, response.ContentLength, isPartial: false);
        }
        return RangeAsked(info, response, options.Range!, partial);
    }

    /// <summary>
    /// Exactly the range asked, whatever the store answered: S3 answers it, but an S3-compatible service may answer a wider
    /// one (s3rver answers bytes=0-0 with the whole object) or ignore the Range header (HTTP lets it). A wider answer is cut
    /// to the range; one that does not hold it fails, so no caller is handed bytes it did not ask for as if it had.
    /// </summary>
    private static ObjectContent RangeAsked(ObjectInfo info, GetObjectResponse response, Gateway.Contracts.ObjectStorage.ByteRange asked, (long Offset, long Length, long Total)? partial)
    {
        var (offset, length, total) = partial ?? (0, response.ContentLength, response.ContentLength);
        if (asked.Resolve(total) is not { } want)
        {
            // s3rver's 206 "bytes 0-0/0" for a range asked of an empty object among them: unsatisfiable, as S3 says.
            response.Dispose();
            throw new GatewayException(ErrorCode.RangeNotSatisfiable, "The range is not satisfiable for this object.")
            { Extensions = new Dictionary<string, object?> { ["size"] = total } };
        }
        if (want.Offset == offset && want.Length == length)
            return new ObjectContent(info, response.ResponseStream, offset, length, isPartial: true);
        if (want.Offset < offset || want.Offset + want.Length > offset + length)
        {
            response.Dispose();
            throw new GatewayException(ErrorCode.BadGateway,
                $"The store answered bytes {offset}-{offset + length - 1} for the range {want.Offset}-{want.Offset + want.Length - 1}.");
        }
        return new ObjectContent(info, new S3RangeWindowStream(response.ResponseStream, want.Offset - offset, want.Length), want.Offset, want.Length, isPartial: true);
    }

    public async Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream content, PutObjectOptions options, CancellationToken ct)
    {
        if (!options.Conditions.IsEmpty)
            Preconditions.Check(await TryHeadAsync(bucket, key, ct), options.Conditions, isRead: false);

        if (options.ContentLength > _options.MultipartThresholdBytes)
            return await new S3MultipartUpload(_client, _pipeline, _options, Name).RunAsync(bucket, key, content, options, ct);
        if (options.ContentLength > _options.PartSizeBytes)
            return await PutStreamedAsync(bucket, key, content, options, ct);

        // Up to one part of known length: read it all (so the request can be retried). Unknown length: read up to
        // one part; a full part means it goes on as multipart.
        var limit = (int)(options.ContentLength >= 0 ? options.ContentLength : _options.PartSizeBytes);
        var buffer = new NativeChunk(Math.Max(limit, 1));
        var handedOver = false;
        try
        {
            var length = await content.ReadAtLeastAsync(buffer.Memory[..limit], limit, throwOnEndOfStream: false, ct);
            if (options.ContentLength >= 0 || length < limit)
                return await PutSingleAsync(bucket, key, buffer, length, options, ct);
            handedOver = true;
            await using var whole = new PrefixedStream(buffer.Memory[..length], content, buffer.Dispose);
            return await new S3MultipartUpload(_client, _pipeline, _options, Name).RunAsync(bucket, key, whole, options, ct);
        }
        finally
        {
            if (!handedOver) buffer.Dispose();
        }
    }

    async Task<ObjectInfo> PutSingleAsync(string bucket, string key, NativeChunk buffer, int length, PutObjectOptions options, CancellationToken ct)
    {
        var md5 = Convert.ToBase64String(MD5.HashData(buffer.Memory.Span[..length]));
        if (options.ContentMd5 is { } expected && expected != md5)
            throw BadDigest();
        var response = await Call(c =>
        {
            var request = new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                InputStream = buffer.OpenRead(length),
                MD5Digest = md5,
                ContentType = options.ContentType,
                UseChunkEncoding = !_options.PlainPayloads,
            };
            S3Metadata.Write(request.Metadata, options.Metadata);
            S3Metadata.WriteHeaders(request.Headers, options.ContentHeaders);
            ApplyWriteConditions(request, options.Conditions);
            return _client.PutObjectAsync(request, c);
        }, true, $"put '{bucket}/{key}'", ct);
        return new ObjectInfo
        {
            Key = key,
            Size = length,
            ETag = S3Metadata.ETag(response.ETag),
            LastModified = DateTimeOffset.UtcNow,
            ContentType = options.ContentType,
            // What the store says it stored, where its ETag says it (a caller compares it with its own): a store that
            // kept other bytes than were sent is caught by the caller, not vouched for with the sender's own MD5.
            ContentMd5 = StoredMd5(response) ?? md5,
            Metadata = Lowered(options.Metadata),
            ContentHeaders = ContentHeaders.OrNull(options.ContentHeaders),
        };
    }

    /// <summary>
    /// A body of declared length above one part streams as one PutObject: the SDK sends the request body as it reads it
    /// (nothing buffered), and a declared MD5 is checked before the body's last block leaves, so a mismatch aborts the
    /// request and S3 stores nothing. The MD5 reported is the one S3 computed over the bytes it stored (the ETag, where it
    /// is one), which a caller can compare with its own. One attempt, outside the pipeline's
    /// attempt timeout: the body cannot be replayed, and a large body takes as long as its sender takes.
    /// </summary>
    async Task<ObjectInfo> PutStreamedAsync(string bucket, string key, Stream content, PutObjectOptions options, CancellationToken ct)
    {
        await using var checking = options.ContentMd5 is null ? null : new Md5CheckingStream(content, options.ContentMd5);
        var request = new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            // Forward only either way, as the SDK must see it (it would hash a seekable body for the signature first).
            InputStream = (Stream?)checking ?? new DelegatingReadOnlyStream(content, leaveOpen: true),
            AutoCloseStream = false,
            // S3 checks the declared digest as well, when there is one.
            MD5Digest = options.ContentMd5,
            ContentType = options.ContentType,
            UseChunkEncoding = !_options.PlainPayloads,
        };
        request.Headers.ContentLength = options.ContentLength;
        S3Metadata.Write(request.Metadata, options.Metadata);
        S3Metadata.WriteHeaders(request.Headers, options.ContentHeaders);
        ApplyWriteConditions(request, options.Conditions);
        PutObjectResponse response;
        try
        {
            response = await S3Call.Run(ResiliencePipeline.Empty, Name, c => _client.PutObjectAsync(request, c), false, $"put '{bucket}/{key}'", ct);
        }
        catch (Exception) when (checking?.DigestMismatch == true)
        {
            throw BadDigest();
        }
        return new ObjectInfo
        {
            Key = key,
            Size = options.ContentLength,
            ETag = S3Metadata.ETag(response.ETag),
            LastModified = DateTimeOffset.UtcNow,
            ContentType = options.ContentType,
            ContentMd5 = StoredMd5(response) ?? checking?.Md5,
            Metadata = Lowered(options.Metadata),
            ContentHeaders = ContentHeaders.OrNull(options.ContentHeaders),
        };
    }

    /// <summary>The MD5 S3 computed over a single PUT's bytes, from its ETag where that is one.</summary>
    static string? StoredMd5(PutObjectResponse response) =>
        S3Metadata.Md5FromETag(response.ETag, response.ServerSideEncryptionMethod, response.ServerSideEncryptionCustomerMethod);

    internal static void ApplyWriteConditions(PutObjectRequest request, ObjectConditions conditions)
    {
        // S3 enforces these atomically; the HEAD check before covers services that ignore them.
        if (conditions.IfNoneMatch is ["*"]) request.IfNoneMatch = "*";
        if (conditions.IfMatch is [var single] && single != "*") request.IfMatch = single;
    }

    public async Task DeleteObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct)
    {
        if (!conditions.IsEmpty)
            Preconditions.Check(await TryHeadAsync(bucket, key, ct), conditions, isRead: false);
        await Call(c => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key }, c), true, $"delete '{bucket}/{key}'", ct);
    }

    public Task<ObjectInfo> CopyObjectAsync(CopyObjectRequest request, CancellationToken ct)
    {
        request.RejectSourceParts("S3");
        return PinnedCopy.RunAsync(() => TryCopyAsync(request, ct), $"S3 store '{Name}'", request);
    }

    /// <summary>The copy made, or null when the service refused it because the source changed after it was read.</summary>
    async Task<ObjectInfo?> TryCopyAsync(CopyObjectRequest request, CancellationToken ct)
    {
        var source = await TryHeadAsync(request.SourceBucket, request.SourceKey, ct)
            ?? throw NotFound(request.SourceBucket, request.SourceKey);
        Preconditions.Check(source, request.SourceConditions, isRead: false);
        if (!request.TargetConditions.IsEmpty)
            Preconditions.Check(await TryHeadAsync(request.TargetBucket, request.TargetKey, ct), request.TargetConditions, isRead: false);

        var copy = new Amazon.S3.Model.CopyObjectRequest
        {
            SourceBucket = request.SourceBucket,
            SourceKey = request.SourceKey,
            DestinationBucket = request.TargetBucket,
            DestinationKey = request.TargetKey,
            // Pinned to the version whose conditions were checked.
            ETagToMatch = source.ETag,
        };
        if (request.MetadataDirective == MetadataDirective.Replace)
        {
            copy.MetadataDirective = S3MetadataDirective.REPLACE;
            copy.ContentType = request.ContentType ?? source.StatedContentType();
            S3Metadata.Write(copy.Metadata, request.Metadata ?? new Dictionary<string, string>());
            S3Metadata.WriteHeaders(copy.Headers, request.ContentHeaders);
        }
        else if (request.SourceBucket == request.TargetBucket && request.SourceKey == request.TargetKey)
        {
            // S3 refuses a copy onto itself that changes nothing (400 InvalidRequest); the other stores make it. Replacing the
            // metadata with what the source has (read above, the version the copy is pinned to) is the same copy to S3.
            copy.MetadataDirective = S3MetadataDirective.REPLACE;
            copy.ContentType = source.StatedContentType();
            S3Metadata.Write(copy.Metadata, source.StatedMetadata());
            S3Metadata.WriteHeaders(copy.Headers, source.ContentHeaders);
        }
        CopyObjectResponse copied;
        try
        {
            copied = await Call(c => _client.CopyObjectAsync(copy, c), true, $"copy '{request.SourceBucket}/{request.SourceKey}'", ct);
        }
        catch (GatewayException e) when (e.Code == ErrorCode.PreconditionFailed)
        {
            if (await PinnedCopy.RefusalIsCallersAsync(TryHeadAsync(request.SourceBucket, request.SourceKey, ct), reread => reread.ETag == source.ETag,
                    () => NotFound(request.SourceBucket, request.SourceKey))) throw;
            return null;
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound)
        {
            throw await PinnedCopy.NotFoundAsync(TryHeadAsync(request.SourceBucket, request.SourceKey, ct), $"S3 store '{Name}'", request, e);
        }
        var now = await TryHeadAsync(request.TargetBucket, request.TargetKey, ct);
        if (copied.ETag is null) return now ?? throw NotFound(request.TargetBucket, request.TargetKey); // a service that states none
        var etag = S3Metadata.ETag(copied.ETag);
        var replace = request.MetadataDirective == MetadataDirective.Replace;
        // The same bytes have the same ETag: a concurrent copy of this source with other metadata is told apart by it.
        if (now is not null && now.ETag == etag && (!replace || (now.ContentType == copy.ContentType && SameMetadata(now.StatedMetadata(), request.Metadata))))
            return now;
        // Rewritten or deleted by a later request meanwhile (S3: the last writer wins, and this copy succeeded): the answer
        // describes the object this copy wrote, not a NoSuchKey or another writer's object.
        return source with
        {
            Key = request.TargetKey,
            ETag = etag,
            LastModified = DateTimeOffset.TryParse(copied.LastModified, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : DateTimeOffset.UtcNow,
            ContentType = replace ? copy.ContentType : source.ContentType,
            Metadata = replace ? request.Metadata ?? new Dictionary<string, string>() : source.Metadata,
            ContentHeaders = replace ? ContentHeaders.OrNull(request.ContentHeaders) : source.ContentHeaders,
        };
    }

    // S3 hands metadata names back in lower case.
    static bool SameMetadata(IReadOnlyDictionary<string, string> stored, IReadOnlyDictionary<string, string>? sent) =>
        stored.Count == (sent?.Count ?? 0)
        && (sent ?? new Dictionary<string, string>()).All(e => stored.TryGetValue(e.Key.ToLowerInvariant(), out var v) && v == e.Value);

    /// <summary>S3's only way to change metadata: a copy onto itself inside the store, pinned to the version read.</summary>
    public Task<ObjectInfo> ReplaceMetadataAsync(string bucket, string key, IReadOnlyDictionary<string, string> metadata, ObjectConditions conditions, CancellationToken ct) =>
        this.ReplaceMetadataByCopyAsync(bucket, key, metadata, conditions, ct);

    async Task<ObjectInfo?> TryHeadAsync(string bucket, string key, CancellationToken ct)
    {
        try
        {
            var response = await Call(c => _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, c), true, $"head '{bucket}/{key}'", ct);
            return new ObjectInfo
            {
                Key = key,
                Size = response.ContentLength,
                ETag = S3Metadata.ETag(response.ETag),
                LastModified = S3Metadata.Time(response.LastModified),
                ContentType = response.Headers.ContentType ?? "application/octet-stream",
                ContentMd5 = S3Metadata.Md5FromETag(response.ETag, response.ServerSideEncryptionMethod, response.ServerSideEncryptionCustomerMethod),
                Metadata = S3Metadata.Read(response.Metadata),
                ContentHeaders = S3Metadata.ReadHeaders(response.Headers, response.ExpiresString),
            };
        }
        catch (GatewayException e) when (e.Code == ErrorCode.NotFound)
        {
            return null;
        }
    }

    internal Task<T> Call<T>(Func<CancellationToken, Task<T>> call, bool idempotent, string operation, CancellationToken ct) =>
        S3Call.Run(_pipeline, Name, call, idempotent, operation, ct);

    GatewayException NotFound(string bucket, string key) => new(ErrorCode.NotFound, $"S3 store '{Name}': object '{bucket}/{key}' not found.");

    internal static GatewayException BadDigest() => new(ErrorCode.BadDigest, "The body does not match its Content-MD5; nothing was stored.");

    internal static IReadOnlyDictionary<string, string> Lowered(IReadOnlyDictionary<string, string> metadata) =>
        metadata.ToDictionary(kv => kv.Key.ToLowerInvariant(), kv => kv.Value, StringComparer.Ordinal);

    public void Dispose() => _client.Dispose();
}

static class S3Call
{
    public static async Task<T> Run<T>(ResiliencePipeline pipeline, string store, Func<CancellationToken, Task<T>> call, bool idempotent, string operation, CancellationToken ct) =>
        await pipeline.ExecuteCallAsync(async c =>
        {
            try { return await call(c); }
            catch (AmazonServiceException e) { throw S3Errors.Translate(e, store, operation); }
        }, idempotent, ct);
}
