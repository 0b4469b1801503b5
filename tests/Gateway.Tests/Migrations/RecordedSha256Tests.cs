using Xunit;
using System.Security.Cryptography;
using Gateway.Bridges.Local;
using Gateway.Contracts.ObjectStorage;
using Gateway.Migrations;

namespace Gateway.Tests.Migrations;

/// <summary>
/// Where source and target share no hash, the mover records its verified SHA-256 at the target and a later run compares
/// it. None of the emulators produces such an object (s3rver gives multipart uploads an MD5 ETag, Azurite computes an
/// MD5 on Put Block List), so the source here is a real local store seen as real S3 shows a multipart object: no MD5.
/// </summary>
public sealed class RecordedSha256Tests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("recorded-sha256-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A real store whose objects state no MD5, as S3 states none for an object uploaded in parts.</summary>
    private sealed class WithoutMd5(IObjectStore inner) : DelegatingObjectStore(inner)
    {
        public override async Task<ObjectListing> ListObjectsAsync(string bucket, ListObjectsRequest request, CancellationToken ct)
        {
            var page = await Inner.ListObjectsAsync(bucket, request, ct);
            return page with { Objects = page.Objects.Select(o => o with { ContentMd5 = null }).ToList() };
        }
        public override async Task<ObjectInfo> HeadObjectAsync(string bucket, string key, ObjectConditions conditions, CancellationToken ct) =>
            (await Inner.HeadObjectAsync(bucket, key, conditions, ct)) with { ContentMd5 = null };
        public override async Task<ObjectContent> GetObjectAsync(string bucket, string key, GetObjectOptions options, CancellationToken ct)
        {
            var content = await Inner.GetObjectAsync(bucket, key, options, ct);
            return new ObjectContent(content.Info with { ContentMd5 = null }, content.Body, content.Offset, content.Length, content.IsPartial);
        }
    }

    [Fact]
    public async Task The_target_keeps_the_verified_sha256_and_a_later_run_compares_it_not_size_and_time()
    {
        using var sourceStore = new LocalObjectStore("parts", new LocalStoreOptions { Root = Path.Combine(_root, "source") });
        using var target = new LocalObjectStore("archive", new LocalStoreOptions { Root = Path.Combine(_root, "target") });
        var source = new WithoutMd5(sourceStore);
        await source.CreateBucketAsync("src", default);
        await target.CreateBucketAsync("dst", default);
        var bytes = RandomNumberGenerator.GetBytes(200_000);
        await source.PutObjectAsync("src", "big.bin", new MemoryStream(bytes), new PutObjectOptions { Metadata = new Dictionary<string, string> { ["owner"] = "ops" } }, default);
        var spec = new MigrationSpec { Source = new MigrationLocation("parts", "src"), Target = new MigrationLocation("archive", "dst") };
        var listed = (await source.ListObjectsAsync("src", new ListObjectsRequest(), default)).Objects.Single();

        var first = await new ObjectMover(spec, source, target, null, DateTimeOffset.UtcNow).MoveAsync(listed, default);

        Assert.Equal((MigrationItemStates.Done, (string?)null), (first.State, first.Error));
        var atTarget = await target.HeadObjectAsync("dst", "big.bin", ObjectConditions.None, default);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), atTarget.StatedMetadata()[ObjectMover.Sha256Metadata]);
        Assert.Equal("ops", atTarget.StatedMetadata()["owner"]);
        var again = await new ObjectMover(spec with { DryRun = true }, source, target, null, DateTimeOffset.UtcNow).MoveAsync(listed, default);
        Assert.Equal((MigrationItemStates.Skipped, MigrationItemStates.Identical), (again.State, again.Action));

        // Same size, a newer target, other bytes: size and time would call it identical, the recorded SHA-256 does not.
        var tampered = (byte[])bytes.Clone();
        tampered[^1] ^= 0xFF;
        await target.PutObjectAsync("dst", "big.bin", new MemoryStream(tampered), new PutObjectOptions
        {
            Metadata = new Dictionary<string, string> { [ObjectMover.Sha256Metadata] = Convert.ToHexStringLower(SHA256.HashData(tampered)) },
        }, default);
        var check = await new ObjectMover(spec with { DryRun = true }, source, target, null, DateTimeOffset.UtcNow).MoveAsync(listed, default);
        Assert.Equal((MigrationItemStates.Planned, MigrationItemStates.Copy), (check.State, check.Action));
    }
    /// <summary>Counts the reads of a real store, to show which objects were read back.</summary>
    private sealed class CountingReads(IObjectStore inner) : DelegatingObjectStore(inner)
    {
        public int Reads;
        public override Task<ObjectContent> GetObjectAsync(string bucket, string key, GetObjectOptions options, CancellationToken ct)
        {
            Interlocked.Increment(ref Reads);
            return Inner.GetObjectAsync(bucket, key, options, ct);
        }
    }

    /// <summary>
    /// An object sent in parts, all by one run: its bytes are hashed in order as the parts go up, so the completion already
    /// carries the SHA-256 (no copy of the object onto itself) and the object is not read back; a source whose recorded
    /// SHA-256 disagrees with its bytes fails before the completion, so nothing appears at the target.
    /// </summary>
    [Fact]
    public async Task Parts_sent_in_one_run_are_hashed_in_order_and_a_mismatch_shows_nothing_at_the_target()
    {
        using var sourceStore = new LocalObjectStore("parts", new LocalStoreOptions { Root = Path.Combine(_root, "source") });
        using var targetStore = new LocalObjectStore("archive", new LocalStoreOptions { Root = Path.Combine(_root, "target") });
        using var db = new MigrationDatabase(Path.Combine(_root, "migrations.db"));
        var source = new WithoutMd5(sourceStore);
        var target = new CountingReads(targetStore);
        await source.CreateBucketAsync("src", default);
        await target.CreateBucketAsync("dst", default);
        var bytes = RandomNumberGenerator.GetBytes((int)ObjectMover.ParallelReadFrom + 3 * 1024 * 1024 + 17);
        await source.PutObjectAsync("src", "big.bin", new MemoryStream(bytes), new PutObjectOptions { Metadata = new Dictionary<string, string> { ["owner"] = "ops" } }, default);
        await source.PutObjectAsync("src", "lies.bin", new MemoryStream(bytes), new PutObjectOptions
        {
            Metadata = new Dictionary<string, string> { [ObjectMover.Sha256Metadata] = new string('0', 64) },
        }, default);
        var spec = new MigrationSpec { Source = new MigrationLocation("parts", "src"), Target = new MigrationLocation("archive", "dst") };
        var listed = (await source.ListObjectsAsync("src", new ListObjectsRequest(), default)).Objects.ToDictionary(o => o.Key);
        var mover = new ObjectMover(spec, source, target, null, DateTimeOffset.UtcNow, uploads: new ResumableUpload(spec, source, target, null, db, "job"));

        var moved = await mover.MoveAsync(listed["big.bin"], default);

        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal((MigrationItemStates.Done, (string?)null, sha256), (moved.State, moved.Error, moved.Sha256));
        var atTarget = await target.HeadObjectAsync("dst", "big.bin", ObjectConditions.None, default);
        Assert.Equal((sha256, "ops"), (atTarget.StatedMetadata()[ObjectMover.Sha256Metadata], atTarget.StatedMetadata()["owner"]));
        Assert.Equal(0, target.Reads);
        await using (var content = await target.GetObjectAsync("dst", "big.bin", new GetObjectOptions(), default))
            Assert.Equal(sha256, Convert.ToHexStringLower(await SHA256.HashDataAsync(content.Body)));

        var lie = await mover.MoveAsync(listed["lies.bin"], default);

        Assert.Equal(MigrationItemStates.Failed, lie.State);
        Assert.Contains("SHA-256 recorded", lie.Error);
        await Assert.ThrowsAsync<Gateway.Contracts.Errors.GatewayException>(() => target.HeadObjectAsync("dst", "lies.bin", ObjectConditions.None, default));
        Assert.Null(db.GetUpload("job", "lies.bin"));
    }
}
