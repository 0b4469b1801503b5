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
}
