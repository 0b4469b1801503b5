using Xunit;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Gateway.Bridges.Local;
using Gateway.Contracts.Errors;
using Gateway.Contracts.ObjectStorage;
using Gateway.Migrations;

namespace Gateway.Tests.Migrations;

/// <summary>
/// A job's large objects share one budget of parts in flight (Gateway:Migrations:LargeObjectPartsInFlight): several
/// objects moving at once, each with more parts than the budget, never have more parts at the target at once than the
/// budget and all complete (a part waiting for its turn in the in-order hash holds no slot, so none can block the part
/// whose turn it is), sent in one run or resumed after parts failed.
/// </summary>
public sealed class PartBudgetTests : IDisposable
{
    private const int Objects = 3;
    private readonly string _root = Directory.CreateTempSubdirectory("part-budget-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A real store that counts the parts being uploaded at once and can fail a part's first try.</summary>
    private sealed class CountingParts(IObjectStore inner, int failPart = 0) : DelegatingObjectStore(inner)
    {
        private int _now;
        public int Most;
        public readonly ConcurrentBag<(string Key, int Part)> Sent = [];
        private readonly ConcurrentDictionary<string, byte> _failed = new();

        public override async Task<UploadedPart> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream content,
            UploadPartOptions options, CancellationToken ct)
        {
            var now = Interlocked.Increment(ref _now);
            InterlockedMax(ref Most, now);
            try
            {
                if (partNumber == failPart && _failed.TryAdd(key, 0))
                    throw new GatewayException(ErrorCode.Unavailable, $"part {partNumber} of '{key}' failed on purpose");
                var part = await Inner.UploadPartAsync(bucket, key, uploadId, partNumber, content, options, ct);
                Sent.Add((key, partNumber));
                return part;
            }
            finally
            {
                Interlocked.Decrement(ref _now);
            }
        }

        private static void InterlockedMax(ref int most, int value)
        {
            int seen;
            while (value > (seen = Volatile.Read(ref most)) && Interlocked.CompareExchange(ref most, value, seen) != seen) { }
        }
    }

    /// <summary>Three objects of three 8 MiB parts each (the last one short) in the source; their SHA-256 by key.</summary>
    private async Task<(LocalObjectStore Source, LocalObjectStore Target, Dictionary<string, string> Sha256)> StoresAsync()
    {
        var source = new LocalObjectStore("parts", new LocalStoreOptions { Root = Path.Combine(_root, "source") });
        var target = new LocalObjectStore("archive", new LocalStoreOptions { Root = Path.Combine(_root, "target") });
        await source.CreateBucketAsync("src", default);
        await target.CreateBucketAsync("dst", default);
        var sha256 = new Dictionary<string, string>();
        for (var i = 0; i < Objects; i++)
        {
            var bytes = RandomNumberGenerator.GetBytes((int)(2 * ResumableUpload.PreferredPartBytes) + 1024 * 1024 + i);
            await source.PutObjectAsync("src", $"big-{i}.bin", new MemoryStream(bytes), new PutObjectOptions(), default);
            sha256[$"big-{i}.bin"] = Convert.ToHexStringLower(SHA256.HashData(bytes));
        }
        return (source, target, sha256);
    }

    private static Task<ItemOutcome[]> MoveAllAsync(ObjectMover mover, IEnumerable<ObjectInfo> listed) =>
        Task.WhenAll(listed.Select(o => mover.MoveAsync(o, default))).WaitAsync(TimeSpan.FromMinutes(3));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Objects_sent_in_one_run_share_the_budget_and_all_complete(int budget)
    {
        var (sourceStore, targetStore, sha256) = await StoresAsync();
        using var _ = sourceStore;
        using var __ = targetStore;
        using var db = new MigrationDatabase(Path.Combine(_root, "migrations.db"));
        var target = new CountingParts(targetStore);
        var spec = new MigrationSpec { Source = new MigrationLocation("parts", "src"), Target = new MigrationLocation("archive", "dst") };
        var listed = (await sourceStore.ListObjectsAsync("src", new ListObjectsRequest(), default)).Objects;
        var mover = new ObjectMover(spec, sourceStore, target, null, DateTimeOffset.UtcNow,
            uploads: new ResumableUpload(spec, sourceStore, target, null, db, "job", budget));

        var moved = await MoveAllAsync(mover, listed);

        Assert.All(moved, m => Assert.Equal((MigrationItemStates.Done, (string?)null), (m.State, m.Error)));
        Assert.Equal(listed.Select(o => sha256[o.Key]), moved.Select(m => m.Sha256));
        Assert.Equal(Objects * 3, target.Sent.Count);
        Assert.InRange(target.Most, 1, budget);
        foreach (var (key, hash) in sha256)
        {
            await using var content = await targetStore.GetObjectAsync("dst", key, new GetObjectOptions(), default);
            Assert.Equal(hash, Convert.ToHexStringLower(await SHA256.HashDataAsync(content.Body)));
        }
    }

    [Fact]
    public async Task Resumed_uploads_share_the_budget_send_only_the_missing_parts_and_all_complete()
    {
        var (sourceStore, targetStore, sha256) = await StoresAsync();
        using var _ = sourceStore;
        using var __ = targetStore;
        using var db = new MigrationDatabase(Path.Combine(_root, "migrations.db"));
        var target = new CountingParts(targetStore, failPart: 2);
        var spec = new MigrationSpec { Source = new MigrationLocation("parts", "src"), Target = new MigrationLocation("archive", "dst") };
        var listed = (await sourceStore.ListObjectsAsync("src", new ListObjectsRequest(), default)).Objects;
        var first = new ObjectMover(spec, sourceStore, target, null, DateTimeOffset.UtcNow,
            uploads: new ResumableUpload(spec, sourceStore, target, null, db, "job", 1));
        foreach (var o in listed)
            await Assert.ThrowsAsync<GatewayException>(() => first.MoveAsync(o, default).WaitAsync(TimeSpan.FromMinutes(3)));
        var sentBefore = target.Sent.ToHashSet();
        Assert.All(listed, o => Assert.Contains((o.Key, 1), sentBefore)); // part 1 went up before part 2 failed
        Assert.All(listed, o => Assert.NotEmpty(db.GetUpload("job", o.Key)!.Parts));
        target.Most = 0;

        var second = new ObjectMover(spec, sourceStore, target, null, DateTimeOffset.UtcNow,
            uploads: new ResumableUpload(spec, sourceStore, target, null, db, "job", 1));
        var moved = await MoveAllAsync(second, listed);

        Assert.All(moved, m => Assert.Equal((MigrationItemStates.Done, (string?)null), (m.State, m.Error)));
        Assert.Equal(listed.Select(o => sha256[o.Key]), moved.Select(m => m.Sha256));
        Assert.Equal(Objects * 3, target.Sent.Count); // every part once: none held from the first run was sent again
        Assert.Equal(Objects * 3, target.Sent.Distinct().Count());
        Assert.Equal(1, target.Most);
    }
}
