using Gateway.Contracts.Errors;

namespace Gateway.Bridges.Local;

public sealed partial class LocalObjectStore
{
    /// <summary>
    /// Rebuilds the index of the store at <paramref name="options"/>' root from its object files and returns the
    /// number of objects indexed. Fails while a gateway holds the root.
    /// </summary>
    public static long Reindex(LocalStoreOptions options, CancellationToken ct = default)
    {
        var root = Path.GetFullPath(options.Root);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"The store root '{root}' does not exist.");
        using var rootLock = LockRoot(root);
        using var index = new LocalIndex(root, options.Fsync);
        return LocalReindexer.Rebuild(root, index, ct);
    }

    /// <summary>
    /// Runs at start, before any request: removes the temporary files of writes a crash cut short (no writer is
    /// running: this instance holds the root) and the upload folders no call can reach, then brings the index back in
    /// line with the files. A missing, older or half-rebuilt index is rebuilt from the files; otherwise only the keys
    /// with an intent row are read again, so a clean start costs nothing per object.
    /// </summary>
    private void Recover()
    {
        foreach (var file in Directory.EnumerateFiles(_tmp)) File.Delete(file);
        RemoveDeadUploads();
        if (!_index.IsReady)
        {
            LocalReindexer.Rebuild(_root, _index);
            return;
        }
        foreach (var (bucket, key) in _index.ReadPending())
        {
            var bucketDir = Path.Combine(_root, bucket);
            _index.Settle(bucket, key, LocalObjectFile.TryRead(ObjectPath(bucketDir, key)));
        }
        foreach (var bucket in _index.IndexedBuckets())
        {
            if (!File.Exists(Path.Combine(_root, bucket, BucketMarker))) _index.DropBucket(bucket);
        }
    }

    /// <summary>
    /// Upload folders no call can reach any more: one whose manifest is gone (an abort or completion a crash cut short
    /// after it removed the manifest, or a start cut short before it wrote one) and one whose bucket is gone (a start that
    /// raced the bucket's delete).
    /// </summary>
    private void RemoveDeadUploads() =>
        RemoveUploads(id => ReadManifestOrNull(id) is not { } manifest || !File.Exists(Path.Combine(_root, manifest.Bucket, BucketMarker)));

    /// <summary>
    /// Removes the upload folders <paramref name="dead"/> picks by id. A folder that cannot be read or removed (an I/O or
    /// permission error) is kept: one bad folder must not stop the store.
    /// </summary>
    private void RemoveUploads(Func<string, bool> dead)
    {
        var uploads = Path.Combine(_root, UploadsFolder);
        if (!Directory.Exists(uploads)) return;
        var removed = false;
        foreach (var dir in Directory.EnumerateDirectories(uploads))
        {
            try
            {
                if (!dead(Path.GetFileName(dir))) continue;
                Directory.Delete(dir, recursive: true);
                removed = true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        if (removed && _fsync) DirectorySync.Flush(uploads);
    }

    /// <summary>
    /// One store instance per root: its index, commit locks and temporary-file cleanup assume no other writer.
    /// The OS releases the lock when the process dies, so a crash never leaves the root locked.
    /// </summary>
    private static FileStream LockRoot(string root)
    {
        Directory.CreateDirectory(root);
        try
        {
            return new FileStream(Path.Combine(root, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new InvalidOperationException(
                $"The local store root '{root}' is in use by another store or process (stop the gateway before a reindex, give each local store its own Root).");
        }
    }

    /// <summary>Takes every commit lock, in order (commits take one at a time, so this cannot deadlock).</summary>
    private async Task<AllCommitLocks> LockAllAsync(CancellationToken ct)
    {
        var taken = 0;
        try
        {
            for (; taken < _commitLocks.Length; taken++) await _commitLocks[taken].WaitAsync(ct).ConfigureAwait(false);
            return new AllCommitLocks(_commitLocks);
        }
        catch
        {
            for (var i = 0; i < taken; i++) _commitLocks[i].Release();
            throw;
        }
    }

    private sealed class AllCommitLocks(SemaphoreSlim[] locks) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            foreach (var gate in locks) gate.Release();
            return ValueTask.CompletedTask;
        }
    }

    public void Dispose()
    {
        _index.Dispose();
        _rootLock.Dispose();
    }

    /// <summary>
    /// No such bucket, unless the store's root itself is gone (removed or unmounted under the running gateway): then
    /// the store cannot answer for any bucket, and saying "no such bucket" would mislead a caller into creating one.
    /// </summary>
    private GatewayException BucketMissing(string bucket) => Directory.Exists(_root)
        ? new(ErrorCode.NotFound, $"Bucket '{bucket}' does not exist.")
        : new(ErrorCode.Unavailable, "The store's root folder is missing.");
}
