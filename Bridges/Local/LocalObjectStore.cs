using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Bridges.Local;

/// <summary>
/// Objects on the local filesystem. A key never becomes a path: each object lives at
/// root/bucket/xx/sha256(key), so no key can reach outside the root, whatever it holds, and keys of
/// any shape ("a/", "a//b", 1024 bytes in one segment) work the same.
/// </summary>
public sealed class LocalObjectStore : IObjectStore
{
    public const string KindName = "local";
    private const int ChunkSize = 256 * 1024;
    private const string BucketMarker = ".bucket";

    private readonly string _root;
    private readonly string _tmp;
    private readonly bool _fsync;
    private readonly SemaphoreSlim[] _commitLocks = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public LocalObjectStore(string name, LocalStoreOptions options)
    {
        Name = name;
        _root = Path.GetFullPath(options.Root);
        _tmp = Path.Combine(_root, ".tmp");
        _fsync = options.Fsync;
        Directory.CreateDirectory(_tmp);
    }

    public string Name { get; }
    public string Kind => KindName;

    public StoreCapabilities Capabilities { get; } = new()
    {
        Hashes = ["md5"],
        MaxKeyBytes = ObjectNames.MaxKeyBytes,
    };

    public Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken ct)
    {
        var buckets = new List<BucketInfo>();
        foreach (var dir in Directory.EnumerateDirectories(_root))
        {
            var marker = Path.Combine(dir, BucketMarker);
            if (!File.Exists(marker)) continue;
            buckets.Add(new BucketInfo(Path.GetFileName(dir), new DateTimeOffset(File.GetLastWriteTimeUtc(marker), TimeSpan.Zero)));
        }
        buckets.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return Task.FromResult<IReadOnlyList<BucketInfo>>(buckets);
    }

    public Task CreateBucketAsync(string bucket, CancellationToken ct)
    {
        var dir = BucketDir(bucket);
        Directory.CreateDirectory(dir);
        try
        {
            using (new FileStream(Path.Combine(dir, BucketMarker), FileMode.CreateNew, FileAccess.Write)) { }
        }
        catch (IOException) when (File.Exists(Path.Combine(dir, BucketMarker)))
        {
            throw new GatewayException(ErrorCode.Conflict, $"Bucket '{bucket}' already exists.");
        }
        return Task.CompletedTask;
    }

    public Task DeleteBucketAsync(string bucket, CancellationToken ct)
    {
        var dir = ExistingBucketDir(bucket);
        if (Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Any(f => Path.GetFileName(f) != BucketMarker))
            throw new GatewayException(ErrorCode.Conflict, $"Bucket '{bucket}' is not empty.");
        File.Delete(Path.Combine(dir, BucketMarker));
        Directory.Delete(dir, recursive: true);
        return Task.CompletedTask;
    }

    public Task<ObjectListing> ListObjectsAsync(string bucket, ListObjectsRequest request, CancellationToken ct)
    {
        var dir = ExistingBucketDir(bucket);
        var after = string.IsNullOrEmpty(request.PageToken) ? null : PageTokens.Unwrap("lo", request.PageToken);
        var prefix = request.Prefix ?? "";
        var delimiter = string.IsNullOrEmpty(request.Delimiter) ? null : request.Delimiter;

        var objects = new SortedDictionary<string, ObjectInfo>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            ct.ThrowIfCancellationRequested();
            if (Path.GetFileName(path) == BucketMarker) continue;
            var info = TryReadInfo(path);
            if (info is not null && info.Key.StartsWith(prefix, StringComparison.Ordinal)) objects[info.Key] = info;
        }

        var items = new List<ObjectInfo>();
        var prefixes = new List<string>();
        string? last = null;
        var pageSize = Math.Clamp(request.PageSize, 1, 1000);
        var more = false;
        foreach (var (key, info) in objects)
        {
            string item = key;
            var isPrefix = false;
            if (delimiter is not null)
            {
                var at = key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
                if (at >= 0) { item = key[..(at + delimiter.Length)]; isPrefix = true; }
            }
            if (after is not null && string.CompareOrdinal(item, after) <= 0) continue;
            if (item == last) continue;
            if (items.Count + prefixes.Count == pageSize) { more = true; break; }
            if (isPrefix) prefixes.Add(item); else items.Add(info);
            last = item;
        }
        var token = more && last is not null ? PageTokens.Wrap("lo", last) : null;
        return Task.FromResult(new ObjectListing(items, prefixes, token));
    }

    public Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct)
    {
        var info = TryReadInfo(ObjectPath(ExistingBucketDir(bucket), key));
        Preconditions.Check(info, conditions, isRead: true);
        return Task.FromResult(info ?? throw NotFound(bucket, key));
    }

    public Task<ObjectContent> GetObjectAsync(string bucket, string key, GetObjectOptions options, CancellationToken ct)
    {
        var path = ObjectPath(ExistingBucketDir(bucket), key);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            Preconditions.Check(null, options.Conditions, isRead: true);
            throw NotFound(bucket, key);
        }
        try
        {
            // The open handle keeps this version readable even if a writer replaces it meanwhile.
            var trailer = LocalObjectFile.ReadTrailer(file) ?? throw NotFound(bucket, key);
            var info = LocalObjectFile.ToInfo(trailer);
            Preconditions.Check(info, options.Conditions, isRead: true);
            var (offset, length, partial) = (0L, info.Size, false);
            if (options.Range is { } range)
            {
                var resolved = range.Resolve(info.Size) ?? throw Unsatisfiable(info.Size);
                (offset, length, partial) = (resolved.Offset, resolved.Length, true);
            }
            file.Seek(offset, SeekOrigin.Begin);
            return Task.FromResult(new ObjectContent(info, new BoundedReadStream(file, length), offset, length, partial));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public async Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream content, PutObjectOptions options, CancellationToken ct)
    {
        var target = ObjectPath(ExistingBucketDir(bucket), key);
        if (!options.Conditions.IsEmpty) Preconditions.Check(TryReadInfo(target), options.Conditions, isRead: false);

        var tmp = Path.Combine(_tmp, Guid.NewGuid().ToString("N"));
        try
        {
            var (size, md5) = await WriteContentAsync(tmp, content, ct).ConfigureAwait(false);
            if (options.ContentLength >= 0 && size != options.ContentLength)
                throw new GatewayException(ErrorCode.BadRequest, $"The body has {size} bytes but Content-Length said {options.ContentLength}.");
            var md5Base64 = Convert.ToBase64String(md5);
            if (options.ContentMd5 is { } expected && expected != md5Base64)
                throw new GatewayException(ErrorCode.BadDigest, "Content-MD5 does not match the body; nothing was stored.");
            var trailer = new LocalObjectFile.Trailer(key, size, md5Base64, options.ContentType,
                new Dictionary<string, string>(options.Metadata), DateTimeOffset.UtcNow);
            AppendTrailer(tmp, trailer);
            await CommitAsync(tmp, target, options.Conditions, ct).ConfigureAwait(false);
            return LocalObjectFile.ToInfo(trailer);
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    public async Task DeleteObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct)
    {
        var path = ObjectPath(ExistingBucketDir(bucket), key);
        var gate = LockFor(path);
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!conditions.IsEmpty) Preconditions.Check(TryReadInfo(path), conditions, isRead: false);
            try { File.Delete(path); }
            catch (DirectoryNotFoundException) { } // never written: deleting a missing object succeeds
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<ObjectInfo> CopyObjectAsync(CopyObjectRequest request, CancellationToken ct)
    {
        var targetPath = ObjectPath(ExistingBucketDir(request.TargetBucket), request.TargetKey);
        if (!request.TargetConditions.IsEmpty) Preconditions.Check(TryReadInfo(targetPath), request.TargetConditions, isRead: false);
        await using var source = await GetObjectAsync(request.SourceBucket, request.SourceKey,
            new GetObjectOptions { Conditions = request.SourceConditions }, ct).ConfigureAwait(false);
        var replace = request.MetadataDirective == MetadataDirective.Replace;
        return await PutObjectAsync(request.TargetBucket, request.TargetKey, source.Body, new PutObjectOptions
        {
            ContentType = replace ? request.ContentType ?? source.Info.ContentType : source.Info.ContentType,
            Metadata = replace ? request.Metadata ?? new Dictionary<string, string>() : source.Info.Metadata,
            ContentLength = source.Length,
            Conditions = request.TargetConditions,
        }, ct).ConfigureAwait(false);
    }

    private async Task<(long Size, byte[] Md5)> WriteContentAsync(string tmp, Stream content, CancellationToken ct)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        long size = 0;
        try
        {
            await using var file = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
            int n;
            while ((n = await content.ReadAsync(buffer.AsMemory(0, ChunkSize), ct).ConfigureAwait(false)) > 0)
            {
                // Hash this chunk while the kernel takes the write.
                var write = file.WriteAsync(buffer.AsMemory(0, n), ct);
                md5.AppendData(buffer, 0, n);
                await write.ConfigureAwait(false);
                size += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return (size, md5.GetHashAndReset());
    }

    private void AppendTrailer(string tmp, LocalObjectFile.Trailer trailer)
    {
        using var file = new FileStream(tmp, FileMode.Append, FileAccess.Write, FileShare.None, 4096);
        LocalObjectFile.WriteTrailer(file, trailer);
        file.Flush(_fsync);
    }

    private async Task CommitAsync(string tmp, string target, ObjectConditions conditions, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var gate = LockFor(target);
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!conditions.IsEmpty) Preconditions.Check(TryReadInfo(target), conditions, isRead: false);
            File.Move(tmp, target, overwrite: true);
        }
        finally
        {
            gate.Release();
        }
    }

    private SemaphoreSlim LockFor(string path) => _commitLocks[(uint)StringComparer.Ordinal.GetHashCode(path) % _commitLocks.Length];

    private static ObjectInfo? TryReadInfo(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1);
            var trailer = LocalObjectFile.ReadTrailer(file);
            return trailer is null ? null : LocalObjectFile.ToInfo(trailer);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private string BucketDir(string bucket)
    {
        ObjectNames.ValidateBucket(bucket);
        var dir = Path.GetFullPath(Path.Combine(_root, bucket));
        // Defence in depth: bucket names are validated, but never trust a path we built.
        if (!dir.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new GatewayException(ErrorCode.BadRequest, "The bucket name is not allowed.");
        return dir;
    }

    private string ExistingBucketDir(string bucket)
    {
        var dir = BucketDir(bucket);
        if (!File.Exists(Path.Combine(dir, BucketMarker)))
            throw new GatewayException(ErrorCode.NotFound, $"Bucket '{bucket}' does not exist.");
        return dir;
    }

    private static string ObjectPath(string bucketDir, string key)
    {
        ObjectNames.ValidateKey(key);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        return Path.Combine(bucketDir, hash[..2], hash);
    }

    private static GatewayException NotFound(string bucket, string key) =>
        new(ErrorCode.NotFound, $"Object '{key}' does not exist in bucket '{bucket}'.");

    private static GatewayException Unsatisfiable(long size) =>
        new(ErrorCode.RangeNotSatisfiable, $"The range is outside the object's {size} bytes.")
        {
            Extensions = new Dictionary<string, object?> { ["size"] = size },
        };
}
