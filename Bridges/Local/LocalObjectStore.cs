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
/// any shape ("a/", "a//b", 1024 bytes in one segment) work the same. Listings come from the root's
/// SQLite index (<see cref="LocalIndex"/>); every change to a file follows the same order, so a crash
/// at any point leaves something the next start can settle (see <see cref="Recover"/>):
/// 1. the new version is written and flushed under root/.tmp;
/// 2. an intent row (bucket, key) is committed to the index;
/// 3. the file is renamed into place (or deleted), and its folder flushed when Fsync is on;
/// 4. one transaction records the file's new state in the index and clears the intent.
/// </summary>
public sealed partial class LocalObjectStore : IObjectStore, IDisposable
{
    public const string KindName = "local";
    internal const string BucketMarker = ".bucket";
    private const int ChunkSize = 256 * 1024;
    private const string LockFileName = ".lock";

    private readonly string _root;
    private readonly string _tmp;
    private readonly bool _fsync;
    private readonly FileStream _rootLock;
    private readonly LocalIndex _index;
    private readonly SemaphoreSlim[] _commitLocks = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public LocalObjectStore(string name, LocalStoreOptions options)
    {
        Name = name;
        _root = Path.GetFullPath(options.Root);
        _tmp = Path.Combine(_root, ".tmp");
        _fsync = options.Fsync;
        Directory.CreateDirectory(_tmp);
        _rootLock = LockRoot(_root);
        try
        {
            _index = new LocalIndex(_root, _fsync);
            Recover();
        }
        catch
        {
            _index?.Dispose();
            _rootLock.Dispose();
            throw;
        }
    }

    public string Name { get; }
    public string Kind => KindName;

    public StoreCapabilities Capabilities { get; } = new()
    {
        Hashes = ["md5"],
        MaxKeyBytes = ObjectNames.MaxKeyBytes,
        ComposeParts = true,
        MultipartUploads = true,
        MinPartBytes = 0,
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

    public async Task CreateBucketAsync(string bucket, CancellationToken ct)
    {
        var dir = BucketDir(bucket);
        await using var all = await LockAllAsync(ct).ConfigureAwait(false);
        var marker = Path.Combine(dir, BucketMarker);
        if (File.Exists(marker)) throw new GatewayException(ErrorCode.Conflict, $"Bucket '{bucket}' already exists.");
        // Rows left by a bucket folder removed by hand would otherwise reappear in the new bucket's listings.
        _index.DropBucket(bucket);
        Directory.CreateDirectory(dir);
        using (new FileStream(marker, FileMode.CreateNew, FileAccess.Write)) { }
        if (_fsync)
        {
            DirectorySync.Flush(dir);
            DirectorySync.Flush(_root);
        }
    }

    /// <summary>
    /// Holds every commit lock, so no object can be committed between the emptiness check and the removal:
    /// a PUT that reported success is never deleted with its bucket.
    /// </summary>
    public async Task DeleteBucketAsync(string bucket, CancellationToken ct)
    {
        var dir = ExistingBucketDir(bucket);
        await using var all = await LockAllAsync(ct).ConfigureAwait(false);
        var marker = Path.Combine(dir, BucketMarker);
        if (!File.Exists(marker)) throw BucketMissing(bucket);
        if (_index.HasObjects(bucket) || Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Any(f => Path.GetFileName(f) != BucketMarker))
            throw new GatewayException(ErrorCode.Conflict, $"Bucket '{bucket}' is not empty.");
        File.Delete(marker);
        Directory.Delete(dir, recursive: true);
        if (_fsync) DirectorySync.Flush(_root);
        // As in S3, the bucket's uploads end with it: a bucket made again under the name does not get them back.
        RemoveUploads(id => ReadManifestOrNull(id)?.Bucket == bucket);
    }

    public Task<ObjectListing> ListObjectsAsync(string bucket, ListObjectsRequest request, CancellationToken ct)
    {
        ExistingBucketDir(bucket);
        return Task.FromResult(LocalListing.Page(_index, bucket, request, ct));
    }

    public Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct)
    {
        var info = TryReadInfo(ObjectPath(ExistingBucketDir(bucket), key));
        Preconditions.Check(info, conditions, isRead: true);
        return Task.FromResult(info ?? throw NotFound(bucket, key));
    }

    public Task<ObjectContent> GetObjectAsync(string bucket, string key, GetObjectOptions options, CancellationToken ct)
    {
        var (file, trailer) = OpenObject(bucket, key, options.Conditions);
        try
        {
            var info = LocalObjectFile.ToInfo(trailer);
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

    /// <summary>
    /// The object's file, open for reading, and its trailer, checked against <paramref name="conditions"/> as a read. The
    /// open handle keeps this version readable even if a writer replaces it meanwhile. The caller disposes the file.
    /// </summary>
    private (FileStream File, LocalObjectFile.Trailer Trailer) OpenObject(string bucket, string key, ObjectConditions conditions)
    {
        var path = ObjectPath(ExistingBucketDir(bucket), key);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            Preconditions.Check(null, conditions, isRead: true);
            throw NotFound(bucket, key);
        }
        try
        {
            var trailer = LocalObjectFile.ReadTrailer(file) ?? throw NotFound(bucket, key);
            Preconditions.Check(LocalObjectFile.ToInfo(trailer), conditions, isRead: true);
            return (file, trailer);
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
                new Dictionary<string, string>(options.Metadata), DateTimeOffset.UtcNow, ContentHeaders.OrNull(options.ContentHeaders));
            AppendTrailer(tmp, trailer);
            await CommitAsync(bucket, key, tmp, target, trailer, options.Conditions, ct).ConfigureAwait(false);
            return LocalObjectFile.ToInfo(trailer);
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    public async Task DeleteObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct)
    {
        var bucketDir = ExistingBucketDir(bucket);
        var path = ObjectPath(bucketDir, key);
        var gate = LockFor(path);
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            EnsureBucketUnderLock(bucket, bucketDir);
            if (!conditions.IsEmpty) Preconditions.Check(TryReadInfo(path), conditions, isRead: false);
            if (!File.Exists(path))
            {
                // Idempotent; also clears a row a lost file may have left behind.
                _index.Settle(bucket, key, null);
                return;
            }
            _index.AddPending(bucket, key);
            try
            {
                File.Delete(path);
                if (_fsync) DirectorySync.Flush(Path.GetDirectoryName(path)!);
            }
            finally
            {
                _index.Settle(bucket, key, LocalObjectFile.TryRead(path));
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The contents of open files, in order, copied by the kernel into a new object file under .tmp (nothing hashed), with
    /// the trailer <paramref name="trailerFor"/> makes for the total size, then committed as every put is (intent, rename,
    /// settle), so a crash leaves the old target or the whole new one.
    /// </summary>
    private async Task<ObjectInfo> PutCopiedContentAsync(string bucket, string key, string target,
        IReadOnlyList<(Microsoft.Win32.SafeHandles.SafeFileHandle File, long Size)> contents, Func<long, LocalObjectFile.Trailer> trailerFor,
        ObjectConditions conditions, CancellationToken ct, ObjectInfo? pinnedTo = null)
    {
        var tmp = Path.Combine(_tmp, Guid.NewGuid().ToString("N"));
        try
        {
            long size = 0;
            using (var output = File.OpenHandle(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                foreach (var (file, length) in contents)
                {
                    await FileRangeCopy.CopyAsync(file, 0, output, size, length, ct).ConfigureAwait(false);
                    size += length;
                }
            }
            var trailer = trailerFor(size);
            AppendTrailer(tmp, trailer); // flushes the whole file (content and trailer) when Fsync is on
            if (BeforeCopyCommit is { } beforeCommit) await beforeCommit().ConfigureAwait(false);
            await CommitAsync(bucket, key, tmp, target, trailer, conditions, ct, pinnedTo).ConfigureAwait(false);
            return LocalObjectFile.ToInfo(trailer);
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    /// <summary>The metadata trailer is inside the object file, so a crash-safe change is a new file: a copy onto itself inside the store, pinned to the version read.</summary>
    public Task<ObjectInfo> ReplaceMetadataAsync(string bucket, string key, IReadOnlyDictionary<string, string> metadata, ObjectConditions conditions, CancellationToken ct) =>
        this.ReplaceMetadataByCopyAsync(bucket, key, metadata, conditions, ct);

    /// <summary>
    /// The parts, read from disk here (not through the channel), written as one new object by the same
    /// tmp-intent-rename path as every put, so a crash leaves the old target or the whole new one.
    /// </summary>
    private async Task<ObjectInfo> ComposeAsync(CopyObjectRequest request, IReadOnlyList<CopySourcePart> parts, CancellationToken ct)
    {
        await using var body = new ConcatenatedPartsStream(this, request.SourceBucket, parts);
        return await PutObjectAsync(request.TargetBucket, request.TargetKey, body, new PutObjectOptions
        {
            ContentType = request.ContentType ?? "application/octet-stream",
            Metadata = request.Metadata ?? new Dictionary<string, string>(),
            ContentHeaders = request.ContentHeaders,
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

    private async Task CommitAsync(string bucket, string key, string tmp, string target, LocalObjectFile.Trailer trailer,
        ObjectConditions conditions, CancellationToken ct, ObjectInfo? pinnedTo = null)
    {
        var bucketDir = Path.GetDirectoryName(Path.GetDirectoryName(target))!;
        var gate = LockFor(target);
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Nothing below awaits: once the intent is recorded, the commit runs to its end.
            EnsureBucketUnderLock(bucket, bucketDir);
            if (!conditions.IsEmpty) Preconditions.Check(TryReadInfo(target), conditions, isRead: false);
            if (pinnedTo is not null && !IsVersion(TryReadInfo(target), pinnedTo))
                throw new GatewayException(ErrorCode.PreconditionFailed, $"Object '{bucket}/{key}' was written again during the copy.");
            var folder = Path.GetDirectoryName(target)!;
            if (!Directory.Exists(folder))
            {
                Directory.CreateDirectory(folder);
                if (_fsync) DirectorySync.Flush(bucketDir);
            }
            _index.AddPending(bucket, key);
            var committed = false;
            try
            {
                File.Move(tmp, target, overwrite: true);
                if (_fsync) DirectorySync.Flush(folder);
                committed = true;
            }
            finally
            {
                _index.Settle(bucket, key, committed ? trailer : LocalObjectFile.TryRead(target));
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>A bucket deleted while this write waited for its lock takes the write with it: NotFound, nothing stored.</summary>
    private void EnsureBucketUnderLock(string bucket, string bucketDir)
    {
        if (!File.Exists(Path.Combine(bucketDir, BucketMarker)))
            throw BucketMissing(bucket);
    }

    private SemaphoreSlim LockFor(string path) => _commitLocks[(uint)StringComparer.Ordinal.GetHashCode(path) % _commitLocks.Length];

    private static ObjectInfo? TryReadInfo(string path) =>
        LocalObjectFile.TryRead(path) is { } trailer ? LocalObjectFile.ToInfo(trailer) : null;

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
            throw BucketMissing(bucket);
        return dir;
    }

    internal static string ObjectPath(string bucketDir, string key)
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
