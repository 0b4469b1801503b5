using System.Text;
using Gateway.Bridges.Local;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.Storage;
using Xunit;

namespace Gateway.Tests.Storage;

/// <summary>
/// The local store's index after crashes: each test leaves a root in the state a crash at one step of a write
/// would leave, then starts a store on it and checks that listings agree with the object files.
/// </summary>
public sealed class LocalStoreRecoveryTests : IDisposable
{
    private const string Bucket = "crash";
    private readonly string _root = Directory.CreateTempSubdirectory("gateway-local-recovery-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private LocalObjectStore Open(bool fsync = false) => new("t", new LocalStoreOptions { Root = _root, Fsync = fsync });

    private static async Task PutAsync(LocalObjectStore store, string key, string body, string bucket = Bucket)
    {
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(body));
        await store.PutObjectAsync(bucket, key, content, new PutObjectOptions(), CancellationToken.None);
    }

    private static async Task<List<(string Key, long Size)>> ListAsync(LocalObjectStore store)
    {
        var listing = await store.ListObjectsAsync(Bucket, new ListObjectsRequest(), CancellationToken.None);
        return listing.Objects.Select(o => (o.Key, o.Size)).ToList();
    }

    [Fact]
    public void Temporary_files_of_crashed_writes_are_removed_at_start()
    {
        Open().Dispose();
        var leftover = Path.Combine(_root, ".tmp", "0123456789abcdef");
        File.WriteAllText(leftover, "half an object");
        using var store = Open();
        Assert.False(File.Exists(leftover));
    }

    [Fact]
    public async Task A_crash_after_the_rename_is_settled_from_the_file_at_start()
    {
        string target;
        using (var store = Open())
        {
            await store.CreateBucketAsync(Bucket, CancellationToken.None);
            await PutAsync(store, "k", "old");
            target = LocalObjectStore.ObjectPath(Path.Combine(_root, Bucket), "k");
        }
        // The state a crash between step 3 (rename) and step 4 (index update) leaves: an intent row, a new file,
        // and an index row that still describes the old one.
        var newFile = await ObjectFileAsync("k", "the new version");
        using (var index = new LocalIndex(_root, durable: false)) index.AddPending(Bucket, "k");
        File.Move(newFile, target, overwrite: true);

        using (var store = Open())
            Assert.Equal([("k", "the new version".Length)], await ListAsync(store));
    }

    [Fact]
    public async Task A_crash_after_a_delete_is_settled_from_the_file_at_start()
    {
        using (var store = Open())
        {
            await store.CreateBucketAsync(Bucket, CancellationToken.None);
            await PutAsync(store, "gone", "x");
            await PutAsync(store, "kept", "y");
        }
        using (var index = new LocalIndex(_root, durable: false)) index.AddPending(Bucket, "gone");
        File.Delete(LocalObjectStore.ObjectPath(Path.Combine(_root, Bucket), "gone"));

        using (var store = Open())
            Assert.Equal([("kept", 1L)], await ListAsync(store));
    }

    [Fact]
    public async Task A_missing_or_half_rebuilt_index_is_rebuilt_from_the_files_at_start()
    {
        using (var store = Open())
        {
            await store.CreateBucketAsync(Bucket, CancellationToken.None);
            for (var i = 0; i < 50; i++) await PutAsync(store, $"k{i:D2}", new string('x', i));
        }
        foreach (var file in Directory.EnumerateFiles(_root, LocalIndex.FileName + "*")) File.Delete(file);
        using (var store = Open())
            Assert.Equal(Enumerable.Range(0, 50).Select(i => ($"k{i:D2}", (long)i)), await ListAsync(store));

        using (var index = new LocalIndex(_root, durable: false)) index.MarkRebuilding();
        using (var store = Open())
            Assert.Equal(50, (await ListAsync(store)).Count);
    }

    [Fact]
    public async Task A_second_store_on_the_same_root_is_refused()
    {
        using var store = Open();
        var e = Assert.Throws<InvalidOperationException>(() => Open());
        Assert.Contains("in use", e.Message);
        await store.CreateBucketAsync(Bucket, CancellationToken.None);
    }

    [Fact]
    public async Task Fsync_on_puts_and_deletes_with_directory_flushes()
    {
        using var store = Open(fsync: true);
        await store.CreateBucketAsync(Bucket, CancellationToken.None);
        await PutAsync(store, "durable/one", "1");
        await store.DeleteObjectAsync(Bucket, "durable/one", ObjectConditions.None, CancellationToken.None);
        await PutAsync(store, "durable/two", "2");
        Assert.Equal([("durable/two", 1L)], await ListAsync(store));
    }

    [Fact]
    public async Task Deleting_a_key_that_was_never_written_succeeds()
    {
        using var store = Open();
        await store.CreateBucketAsync(Bucket, CancellationToken.None);
        // Its fan-out folder does not exist either.
        await store.DeleteObjectAsync(Bucket, "never written", ObjectConditions.None, CancellationToken.None);
        Assert.Empty(await ListAsync(store));
    }

    [Fact]
    public async Task A_bucket_delete_racing_puts_never_takes_an_object_whose_put_succeeded()
    {
        using var store = Open();
        for (var round = 0; round < 100; round++)
        {
            var bucket = $"race-{round}";
            await store.CreateBucketAsync(bucket, CancellationToken.None);
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var puts = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
            {
                await start.Task;
                try { await PutAsync(store, $"k{i}", "v", bucket); return true; }
                catch (GatewayException e) when (e.Code == ErrorCode.NotFound) { return false; }
            })).ToList();
            var delete = Task.Run(async () =>
            {
                await start.Task;
                try { await store.DeleteBucketAsync(bucket, CancellationToken.None); return true; }
                catch (GatewayException e) when (e.Code == ErrorCode.Conflict) { return false; }
            });
            start.SetResult();
            var stored = (await Task.WhenAll(puts)).Count(ok => ok);
            var deleted = await delete;

            Assert.False(deleted && stored > 0, $"round {round}: the bucket was deleted and {stored} PUTs reported success");
            if (!deleted)
            {
                Assert.Equal(stored, (await store.ListObjectsAsync(bucket, new ListObjectsRequest(), CancellationToken.None)).Objects.Count);
                for (var i = 0; i < 4; i++)
                    await store.DeleteObjectAsync(bucket, $"k{i}", ObjectConditions.None, CancellationToken.None);
                await store.DeleteBucketAsync(bucket, CancellationToken.None);
            }
        }
    }

    [Fact]
    public async Task Store_reindex_rebuilds_the_index_from_the_files()
    {
        using (var store = Open())
        {
            await store.CreateBucketAsync(Bucket, CancellationToken.None);
            await PutAsync(store, "a", "1");
            await PutAsync(store, "b", "22");
        }
        // A file removed by hand: the index still lists it until the reindex.
        File.Delete(LocalObjectStore.ObjectPath(Path.Combine(_root, Bucket), "a"));
        string[] args = ["store", "reindex", "mine", "--Gateway:Stores:mine:Kind=local", $"--Gateway:Stores:mine:Root={_root}"];
        var output = new StringWriter();
        var error = new StringWriter();

        using (var running = Open())
        {
            Assert.Equal(1, StoreCli.TryRun(args, output, error));
            Assert.Contains("in use", error.ToString());
        }
        Assert.Equal(0, StoreCli.TryRun(args, output, error));
        Assert.Contains("indexed 1 objects", output.ToString());
        using (var store = Open())
            Assert.Equal([("b", 2L)], await ListAsync(store));

        Assert.Equal(2, StoreCli.TryRun(["store", "reindex", "nowhere"], output, error));
        Assert.Equal(2, StoreCli.TryRun(["store", "reindex", "cloud", "--Gateway:Stores:cloud:Kind=s3"], output, error));
        Assert.Contains("only local stores", error.ToString());
    }

    /// <summary>A complete object file for <paramref name="key"/>, made by a store on a scratch root.</summary>
    private async Task<string> ObjectFileAsync(string key, string body)
    {
        var scratch = Path.Combine(_root, "..", Path.GetFileName(_root) + "-scratch");
        using (var other = new LocalObjectStore("s", new LocalStoreOptions { Root = scratch }))
        {
            await other.CreateBucketAsync(Bucket, CancellationToken.None);
            await PutAsync(other, key, body);
        }
        var file = Path.Combine(_root, ".tmp", "prepared");
        File.Move(LocalObjectStore.ObjectPath(Path.Combine(scratch, Bucket), key), file);
        Directory.Delete(scratch, recursive: true);
        return file;
    }
}
