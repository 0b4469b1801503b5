using System.Text;
using Gateway.Bridges.Local;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Xunit;

namespace Gateway.Tests.Storage;

/// <summary>
/// A copy of an object onto itself (what a metadata change is: S3's CopyObject with REPLACE, the facade's copy with
/// "metadataDirective":"replace") reads the object and writes a new one over it. A put or delete acknowledged while the
/// copy ran was undone by it: the old bytes came back under the new metadata (session-47 concurrency probe, 9 of 10
/// races with 64 MiB objects). The copy's commit is now pinned to the version it read, and it starts again from a
/// fresh read. The competing write is made at the copy's last step, just before its commit.
/// </summary>
public sealed class LocalStoreSelfCopyRaceTests() : TempLocalStoreTests(LocalStoreSelfCopyRaceTests.Bucket)
{
    private const string Bucket = "selfcopy";

    private Task<ObjectInfo> PutAsync(string key, string body) =>
        Store.PutObjectAsync(Bucket, key, new MemoryStream(Encoding.UTF8.GetBytes(body)), new PutObjectOptions(), CancellationToken.None);

    private static CopyObjectRequest Relabel(string key) => new()
    {
        SourceBucket = Bucket, SourceKey = key, TargetBucket = Bucket, TargetKey = key,
        MetadataDirective = MetadataDirective.Replace, Metadata = new Dictionary<string, string> { ["label"] = "new" },
    };

    /// <summary>Makes <paramref name="write"/> once, at the next copy's commit.</summary>
    private void OnceBeforeCommit(Func<Task> write)
    {
        var done = 0;
        Store.BeforeCopyCommit = () => Interlocked.Exchange(ref done, 1) == 0 ? write() : Task.CompletedTask;
    }

    [Fact]
    public async Task A_put_made_while_the_object_is_copied_onto_itself_is_kept_and_gets_the_new_metadata()
    {
        await PutAsync("a.txt", "old bytes");
        var put = PutAtCommit("a.txt", "new bytes, acknowledged");

        var copied = await Store.CopyObjectAsync(Relabel("a.txt"), CancellationToken.None);

        Assert.Equal((await put.Task).ETag, copied.ETag);
        await using var now = await Store.GetObjectAsync(Bucket, "a.txt", new GetObjectOptions(), CancellationToken.None);
        Assert.Equal("new bytes, acknowledged", await new StreamReader(now.Body).ReadToEndAsync());
        Assert.Equal("new", now.Info.Metadata!["label"]);
    }

    /// <summary>The ETag is the content's MD5 here: a put of the same bytes with another type has the ETag the copy read (the review's case).</summary>
    [Fact]
    public async Task A_put_of_the_same_bytes_with_another_type_made_during_a_copy_onto_itself_is_kept()
    {
        await Store.PutObjectAsync(Bucket, "c.txt", new MemoryStream("same"u8.ToArray()), new PutObjectOptions { ContentType = "text/old" }, CancellationToken.None);
        var put = PutAtCommit("c.txt", "same", "text/acknowledged");

        var copied = await Store.CopyObjectAsync(new CopyObjectRequest { SourceBucket = Bucket, SourceKey = "c.txt", TargetBucket = Bucket, TargetKey = "c.txt",
            MetadataDirective = MetadataDirective.Replace, Metadata = new Dictionary<string, string> { ["label"] = "new" } }, CancellationToken.None);

        Assert.Equal((await put.Task).ETag, copied.ETag);
        var now = await Store.HeadObjectAsync(Bucket, "c.txt", ObjectConditions.None, CancellationToken.None);
        Assert.Equal("text/acknowledged", now.ContentType);
        Assert.Equal("new", now.Metadata!["label"]);
    }

    [Fact]
    public async Task A_delete_made_while_the_object_is_copied_onto_itself_stays_a_delete()
    {
        await PutAsync("b.txt", "doomed");
        OnceBeforeCommit(() => Store.DeleteObjectAsync(Bucket, "b.txt", ObjectConditions.None, CancellationToken.None));

        var refused = await Assert.ThrowsAsync<GatewayException>(() => Store.CopyObjectAsync(Relabel("b.txt"), CancellationToken.None));

        Assert.Equal(ErrorCode.NotFound, refused.Code);
        var gone = await Assert.ThrowsAsync<GatewayException>(() => Store.HeadObjectAsync(Bucket, "b.txt", ObjectConditions.None, CancellationToken.None));
        Assert.Equal(ErrorCode.NotFound, gone.Code);
    }

    [Fact]
    public async Task A_copy_to_another_key_is_not_pinned_to_its_targets_version()
    {
        await PutAsync("src.txt", "source");
        await PutAsync("dst.txt", "target before");
        OnceBeforeCommit(async () => await PutAsync("dst.txt", "target rewritten"));

        var copied = await Store.CopyObjectAsync(new CopyObjectRequest { SourceBucket = Bucket, SourceKey = "src.txt", TargetBucket = Bucket, TargetKey = "dst.txt" },
            CancellationToken.None);

        // Two writers of dst.txt: the copy, which ends last, wins, as S3's last writer does.
        await using var now = await Store.GetObjectAsync(Bucket, "dst.txt", new GetObjectOptions(), CancellationToken.None);
        Assert.Equal("source", await new StreamReader(now.Body).ReadToEndAsync());
        Assert.Equal(copied.ETag, now.Info.ETag);
    }

    /// <summary>The put made at the copy's commit; its answer once made.</summary>
    private TaskCompletionSource<ObjectInfo> PutAtCommit(string key, string body, string contentType = "application/octet-stream")
    {
        var answered = new TaskCompletionSource<ObjectInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        OnceBeforeCommit(async () => answered.SetResult(await Store.PutObjectAsync(Bucket, key, new MemoryStream(Encoding.UTF8.GetBytes(body)),
            new PutObjectOptions { ContentType = contentType }, CancellationToken.None)));
        return answered;
    }
}
