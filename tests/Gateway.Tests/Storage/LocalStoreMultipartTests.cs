using System.Security.Cryptography;
using System.Text;
using Gateway.Bridges.Local;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Xunit;

namespace Gateway.Tests.Storage;

/// <summary>
/// The local store's multipart uploads across a restart: parts written by one store instance are listed, completed
/// and aborted by the next one on the same root; a part cut short by a crash (only its temporary file exists) is not
/// a part; and an upload id that is not one of the store's own cannot reach outside its uploads folder.
/// </summary>
public sealed class LocalStoreMultipartTests : IDisposable
{
    private const string Bucket = "parts";
    private readonly string _root = Directory.CreateTempSubdirectory("gateway-local-multipart-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private LocalObjectStore Open() => new("t", new LocalStoreOptions { Root = _root, Fsync = true });

    private static Task<UploadedPart> SendAsync(LocalObjectStore store, string uploadId, int n, string body) =>
        store.UploadPartAsync(Bucket, "big.bin", uploadId, n, new MemoryStream(Encoding.UTF8.GetBytes(body)), new UploadPartOptions(), default);

    [Fact]
    public async Task Parts_survive_a_restart_and_complete_into_one_object()
    {
        string uploadId;
        UploadedPart first;
        using (var store = Open())
        {
            await store.CreateBucketAsync(Bucket, default);
            uploadId = (await store.StartMultipartUploadAsync(Bucket, "big.bin", new MultipartUploadOptions { ContentType = "text/plain" }, default)).UploadId;
            first = await SendAsync(store, uploadId, 1, "hello, ");
        }
        // A crash while part 2 was being written leaves only its temporary file.
        File.WriteAllText(Path.Combine(_root, ".tmp", Guid.NewGuid().ToString("N")), "half a part");

        using (var store = Open())
        {
            var listed = Assert.Single(await store.ListPartsAsync(Bucket, "big.bin", uploadId, default));
            Assert.Equal((1, first.ETag, 7L), (listed.PartNumber, listed.ETag, listed.Size));
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, ".tmp")));
            var second = await SendAsync(store, uploadId, 2, "world");
            var written = await store.CompleteMultipartUploadAsync(Bucket, "big.bin", uploadId,
                new CompleteUploadRequest { Parts = [new CompletedPart(1, listed.ETag), new CompletedPart(2, second.ETag)] }, default);
            Assert.Equal((12L, "text/plain"), (written.Size, written.ContentType));
            await using var content = await store.GetObjectAsync(Bucket, "big.bin", new GetObjectOptions(), default);
            Assert.Equal("hello, world", await new StreamReader(content.Body).ReadToEndAsync());
            // Completed: the upload and its parts are gone.
            var e = await Assert.ThrowsAsync<GatewayException>(() => store.ListPartsAsync(Bucket, "big.bin", uploadId, default));
            Assert.Equal(ErrorCode.NotFound, e.Code);
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_root, ".uploads")));
        }
    }

    [Fact]
    public async Task An_upload_is_known_only_under_its_own_bucket_and_key_and_aborted_after_a_restart()
    {
        string uploadId;
        using (var store = Open())
        {
            await store.CreateBucketAsync(Bucket, default);
            uploadId = (await store.StartMultipartUploadAsync(Bucket, "big.bin", new MultipartUploadOptions(), default)).UploadId;
            await SendAsync(store, uploadId, 1, "part");
            var elsewhere = await Assert.ThrowsAsync<GatewayException>(() => store.ListPartsAsync(Bucket, "other.bin", uploadId, default));
            Assert.Equal(ErrorCode.NotFound, elsewhere.Code);
            foreach (var hostile in new[] { "../" + uploadId, "..", ".tmp", uploadId.ToUpperInvariant() })
            {
                var e = await Assert.ThrowsAsync<GatewayException>(() => store.ListPartsAsync(Bucket, "big.bin", hostile, default));
                Assert.Equal(ErrorCode.NotFound, e.Code);
            }
        }
        using (var store = Open())
        {
            await store.AbortMultipartUploadAsync(Bucket, "big.bin", uploadId, default);
            var e = await Assert.ThrowsAsync<GatewayException>(() => SendAsync(store, uploadId, 2, "late"));
            Assert.Equal(ErrorCode.NotFound, e.Code);
            Assert.Empty((await store.ListObjectsAsync(Bucket, new ListObjectsRequest(), default)).Objects);
        }
    }

    private static string MultipartETag(params string[] parts)
    {
        var md5s = parts.SelectMany(p => MD5.HashData(Encoding.UTF8.GetBytes(p))).ToArray();
        return $"\"{Convert.ToHexStringLower(MD5.HashData(md5s))}-{parts.Length}\"";
    }

    /// <summary>A bucket and an upload of big.bin (text/plain) with parts "hello, " and "world".</summary>
    private static async Task<(string UploadId, List<CompletedPart> Parts)> StartHelloWorldAsync(LocalObjectStore store)
    {
        await store.CreateBucketAsync(Bucket, default);
        var uploadId = (await store.StartMultipartUploadAsync(Bucket, "big.bin", new MultipartUploadOptions { ContentType = "text/plain" }, default)).UploadId;
        var one = await SendAsync(store, uploadId, 1, "hello, ");
        var two = await SendAsync(store, uploadId, 2, "world");
        return (uploadId, [new(1, one.ETag), new(2, two.ETag)]);
    }

    [Fact]
    public async Task A_completed_object_has_the_md5_of_md5s_etag_everywhere_and_no_md5_also_after_a_reindex()
    {
        var expected = MultipartETag("hello, ", "world");
        using (var store = Open())
        {
            var (uploadId, parts) = await StartHelloWorldAsync(store);
            var written = await store.CompleteMultipartUploadAsync(Bucket, "big.bin", uploadId, new CompleteUploadRequest { Parts = parts }, default);
            // As S3 reports a multipart object: the parts' MD5s hashed, then the count; the whole object's MD5 is not computed.
            Assert.Equal((expected, (string?)null), (written.ETag, written.ContentMd5));
            var head = await store.HeadObjectAsync(Bucket, "big.bin", ObjectConditions.None, default);
            Assert.Equal((expected, (string?)null, 12L), (head.ETag, head.ContentMd5, head.Size));
            Assert.Equal(expected, Assert.Single((await store.ListObjectsAsync(Bucket, new ListObjectsRequest(), default)).Objects).ETag);
            // The ETag is the object's identity for conditionals, as any other.
            await using (var got = await store.GetObjectAsync(Bucket, "big.bin", new GetObjectOptions { Conditions = new ObjectConditions { IfMatch = [expected] } }, default))
                Assert.Equal("hello, world", await new StreamReader(got.Body).ReadToEndAsync());
            var stale = await Assert.ThrowsAsync<GatewayException>(() => store.PutObjectAsync(Bucket, "big.bin", new MemoryStream([1]),
                new PutObjectOptions { Conditions = new ObjectConditions { IfMatch = [$"\"{Convert.ToHexStringLower(MD5.HashData("hello, world"u8))}\""] } }, default));
            Assert.Equal(ErrorCode.PreconditionFailed, stale.Code);
        }
        // Rebuilt from the files alone, the index lists the same ETag.
        Assert.Equal(1, LocalObjectStore.Reindex(new LocalStoreOptions { Root = _root, Fsync = true }));
        using (var store = Open())
        {
            Assert.Equal(expected, Assert.Single((await store.ListObjectsAsync(Bucket, new ListObjectsRequest(), default)).Objects).ETag);
            Assert.Equal(expected, (await store.HeadObjectAsync(Bucket, "big.bin", ObjectConditions.None, default)).ETag);
        }
    }

    [Fact]
    public async Task A_completion_that_states_the_md5_is_checked_against_the_bytes_and_keeps_it()
    {
        using var store = Open();
        var (uploadId, parts) = await StartHelloWorldAsync(store);

        var wrong = await Assert.ThrowsAsync<GatewayException>(() => store.CompleteMultipartUploadAsync(Bucket, "big.bin", uploadId,
            new CompleteUploadRequest { Parts = parts, ContentMd5 = Convert.ToBase64String(MD5.HashData("hello, world!"u8)) }, default));
        Assert.Equal(ErrorCode.BadDigest, wrong.Code);
        Assert.Empty((await store.ListObjectsAsync(Bucket, new ListObjectsRequest(), default)).Objects);

        var md5 = MD5.HashData("hello, world"u8);
        var written = await store.CompleteMultipartUploadAsync(Bucket, "big.bin", uploadId,
            new CompleteUploadRequest { Parts = parts, ContentMd5 = Convert.ToBase64String(md5) }, default);
        Assert.Equal(($"\"{Convert.ToHexStringLower(md5)}\"", Convert.ToBase64String(md5)), (written.ETag, written.ContentMd5));
    }

    [Fact]
    public async Task A_completion_cut_short_leaves_no_object_and_no_temporary_file_and_the_upload_completes_afterwards()
    {
        using var store = Open();
        var (uploadId, parts) = await StartHelloWorldAsync(store);

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            store.CompleteMultipartUploadAsync(Bucket, "big.bin", uploadId, new CompleteUploadRequest { Parts = parts }, cancelled.Token));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, ".tmp")));
        Assert.Empty((await store.ListObjectsAsync(Bucket, new ListObjectsRequest(), default)).Objects);
        Assert.Equal(2, (await store.ListPartsAsync(Bucket, "big.bin", uploadId, default)).Count);

        var written = await store.CompleteMultipartUploadAsync(Bucket, "big.bin", uploadId, new CompleteUploadRequest { Parts = parts }, default);
        Assert.Equal(MultipartETag("hello, ", "world"), written.ETag);
    }

    [Fact]
    public async Task A_composed_object_keeps_its_etag_through_a_metadata_replacement_and_a_copy()
    {
        using var store = Open();
        var (uploadId, parts) = await StartHelloWorldAsync(store);
        var written = await store.CompleteMultipartUploadAsync(Bucket, "big.bin", uploadId, new CompleteUploadRequest { Parts = parts }, default);

        // Bytes and identity stay: the in-store copy copies the file's content and keeps its ETag (and its lack of MD5).
        var replaced = await store.ReplaceMetadataAsync(Bucket, "big.bin", new Dictionary<string, string> { ["tag"] = "x" }, ObjectConditions.None, default);
        Assert.Equal((written.ETag, (string?)null, "x", "text/plain"), (replaced.ETag, replaced.ContentMd5, replaced.StatedMetadata()["tag"], replaced.ContentType));
        var copied = await store.CopyObjectAsync(new CopyObjectRequest { SourceBucket = Bucket, SourceKey = "big.bin", TargetBucket = Bucket, TargetKey = "copy.bin" }, default);
        Assert.Equal((written.ETag, 12L, "x"), (copied.ETag, copied.Size, copied.StatedMetadata()["tag"]));
        await using (var content = await store.GetObjectAsync(Bucket, "copy.bin", new GetObjectOptions(), default))
            Assert.Equal("hello, world", await new StreamReader(content.Body).ReadToEndAsync());

        // A copy pinned to another version writes nothing.
        var stale = await Assert.ThrowsAsync<GatewayException>(() => store.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = Bucket, SourceKey = "big.bin", TargetBucket = Bucket, TargetKey = "other.bin",
            SourceConditions = new ObjectConditions { IfMatch = [parts[0].ETag] },
        }, default));
        Assert.Equal(ErrorCode.PreconditionFailed, stale.Code);
        Assert.Equal(2, (await store.ListObjectsAsync(Bucket, new ListObjectsRequest(), default)).Objects.Count);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, ".tmp")));
    }

    /// <summary>
    /// Upload folders no call can reach are removed at start (session-47 concurrency probe: a start that raced the
    /// bucket's delete got an id for a bucket that was gone, and an abort cut short after it removed the manifest left
    /// its parts; both stayed for good). A live upload of a live bucket stays.
    /// </summary>
    [Fact]
    public async Task The_start_removes_uploads_of_deleted_buckets_and_uploads_without_a_manifest()
    {
        string live, orphaned, headless;
        using (var store = Open())
        {
            await store.CreateBucketAsync(Bucket, default);
            await store.CreateBucketAsync("gone", default);
            live = (await store.StartMultipartUploadAsync(Bucket, "big.bin", new MultipartUploadOptions(), default)).UploadId;
            await SendAsync(store, live, 1, "kept");
            orphaned = (await store.StartMultipartUploadAsync("gone", "x.bin", new MultipartUploadOptions(), default)).UploadId;
            headless = (await store.StartMultipartUploadAsync(Bucket, "big.bin", new MultipartUploadOptions(), default)).UploadId;
            await SendAsync(store, headless, 1, "left by an abort cut short");
        }
        File.Delete(Path.Combine(_root, ".uploads", headless, "upload.json"));
        // The bucket gone as a delete that did not see the upload (it raced the start) leaves it.
        Directory.Delete(Path.Combine(_root, "gone"), recursive: true);
        Assert.True(Directory.Exists(Path.Combine(_root, ".uploads", orphaned)));

        using (var store = Open())
        {
            Assert.Equal([live], Directory.EnumerateDirectories(Path.Combine(_root, ".uploads")).Select(Path.GetFileName));
            var parts = await store.ListPartsAsync(Bucket, "big.bin", live, default);
            Assert.Equal(1, Assert.Single(parts).PartNumber);
            await store.CreateBucketAsync("gone", default);
            var ended = await Assert.ThrowsAsync<GatewayException>(() => store.ListPartsAsync("gone", "x.bin", orphaned, default));
            Assert.Equal(ErrorCode.NotFound, ended.Code);
        }
    }

    /// <summary>As in S3, a bucket's uploads end with it, also without a restart (the session-47 review's case).</summary>
    [Fact]
    public async Task A_bucket_made_again_does_not_get_the_uploads_of_the_one_deleted()
    {
        using var store = Open();
        await store.CreateBucketAsync("again", default);
        var old = (await store.StartMultipartUploadAsync("again", "x.bin", new MultipartUploadOptions(), default)).UploadId;
        await store.DeleteBucketAsync("again", default);
        await store.CreateBucketAsync("again", default);

        var ended = await Assert.ThrowsAsync<GatewayException>(() => store.ListPartsAsync("again", "x.bin", old, default));
        Assert.Equal(ErrorCode.NotFound, ended.Code);
        Assert.False(Directory.Exists(Path.Combine(_root, ".uploads", old)));
    }

    /// <summary>A folder that cannot be read is kept, and the store starts (the review's case: it stopped the start).</summary>
    [Fact]
    public async Task An_upload_folder_the_start_cannot_read_is_kept_and_the_store_starts()
    {
        using (var store = Open()) await store.CreateBucketAsync(Bucket, default);
        var odd = Path.Combine(_root, ".uploads", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(odd, "upload.json")); // a folder where the manifest should be: reading it fails

        using (var store = Open()) Assert.Single(await store.ListBucketsAsync(default), b => b.Name == Bucket);
        Assert.True(Directory.Exists(odd));
    }
}
