using System.Security.Cryptography;
using Gateway.Channel.Audit;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Data.Sqlite;
using static Gateway.Channel.Tests.AuditTamper;

namespace Gateway.Channel.Tests;

/// <summary>
/// A streamed answer the caller is still reading when its leaf is covered by a signed head: the head's commit keeps the
/// witness as the host signed it as a pending leaf, so the live log verifies (naming the call as unresolved), and the
/// call's outcome entry, when it comes, takes its place.
/// </summary>
public class PendingAuditEntryTests
{
    private const string Get = "object-storage.get-object";

    [Fact]
    public async Task A_slow_reader_leaves_a_pending_leaf_the_live_log_verifies_with_and_its_outcome_replaces_it()
    {
        await using var h = ChannelHarness.Create();
        var store = h.Remote;
        await store.CreateBucketAsync("slow", default);
        // 2 MiB: 32 DATA frames, inside the 96 window, so the host sends END and the WITNESS without waiting for the reader.
        var data = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        await store.PutObjectAsync("slow", "big.bin", new MemoryStream(data), new PutObjectOptions(), default);

        await using var content = await store.GetObjectAsync("slow", "big.bin", new GetObjectOptions(), default);
        var read = new byte[data.Length];
        await content.Body.ReadExactlyAsync(read.AsMemory(0, 64 * 1024));

        var pending = await PendingAsync(h.Audit);
        Assert.Equal(Get, pending.Operation);
        Assert.DoesNotContain(await h.Audit.ReadAsync(0, 1000, default), e => e.LeafIndex == pending.LeafIndex);
        var live = AuditVerifier.Verify(h.Audit.DatabasePath, [TestKeys.Host.PublicKey]);
        Assert.True(live.Ok, live.Problem);
        var unresolved = Assert.Single(live.Unresolved);
        Assert.Equal((pending.LeafIndex, pending.RequestId, Get), (unresolved.LeafIndex, unresolved.RequestId, unresolved.Operation));
        Assert.Equal(1, live.UnresolvedCount);
        // This run's own pending leaf is a call still reading, not one left unresolved by an earlier run.
        Assert.Equal((0, 1), h.Audit.PendingCounts);
        Assert.True(pending.LeafIndex >= h.Audit.FirstLeafOfRun);

        await content.Body.ReadExactlyAsync(read.AsMemory(64 * 1024));
        Assert.Equal(0, await content.Body.ReadAsync(new byte[1]));
        Assert.Equal(data, read);

        // The answer was released after the commit of its outcome entry, which removed the pending row.
        var outcome = Assert.Single(await h.Audit.ReadAsync(0, 1000, default), e => e.LeafIndex == pending.LeafIndex);
        Assert.Equal(WitnessRecord.Released, outcome.Outcome);
        Assert.Equal(pending.Witness, outcome.Witness);
        Assert.Empty(await h.Audit.ReadPendingAsync(10, default));
        Assert.Equal((0, 0), h.Audit.PendingCounts);
        var after = AuditVerifier.Verify(h.Audit.DatabasePath, [TestKeys.Host.PublicKey]);
        Assert.True(after.Ok, after.Problem);
        Assert.Empty(after.Unresolved);
    }

    [Fact]
    public async Task A_log_whose_pending_leaf_was_removed_substituted_or_doubled_fails()
    {
        var (db, pending) = await SnapshotWithPendingLeafAsync();
        try
        {
            var intact = AuditVerifier.Verify(db, [TestKeys.Host.PublicKey]);
            Assert.True(intact.Ok, intact.Problem);
            Assert.Equal(pending.LeafIndex, Assert.Single(intact.Unresolved).LeafIndex);

            // Opened again (a restart): the row is one an earlier run left, below this run's first leaf, and listed after any index before it.
            using (var reopened = new AuditLog(Copy(db)))
            {
                Assert.Equal((1, 0), reopened.PendingCounts);
                Assert.True(pending.LeafIndex < reopened.FirstLeafOfRun);
                Assert.Equal(pending.LeafIndex, Assert.Single(await reopened.ReadPendingAsync(pending.LeafIndex - 1, 10, default)).LeafIndex);
                Assert.Empty(await reopened.ReadPendingAsync(pending.LeafIndex, 10, default));
            }

            var removed = Tampered(db, $"DELETE FROM audit_pending WHERE leaf_index = {pending.LeafIndex}");
            Assert.False(removed.Ok);
            Assert.Contains($"Leaf {pending.LeafIndex} is covered by the signed heads but has no audit entry", removed.Problem);

            // Another witness that still decodes (one byte of its transcript hash changed): not the signed leaf.
            var forged = (byte[])pending.Witness.Clone();
            forged[^1] ^= 0x01;
            Assert.NotNull(Witness.Decode(forged));
            var substituted = Tampered(db, $"UPDATE audit_pending SET witness = X'{Convert.ToHexString(forged)}' WHERE leaf_index = {pending.LeafIndex}");
            Assert.False(substituted.Ok);
            Assert.Contains($"Pending leaf {pending.LeafIndex}: its witness is not leaf {pending.LeafIndex}", substituted.Problem);

            var relabelled = Tampered(db, $"UPDATE audit_pending SET target = 'elsewhere' WHERE leaf_index = {pending.LeafIndex}");
            Assert.False(relabelled.Ok);
            Assert.Contains("its columns differ from its witness", relabelled.Problem);

            // Kept pending next to an outcome entry for the same leaf, or "pending" written into the chain: both edits.
            var both = Copy(db);
            using (var c = Open(both))
            {
                using (var insert = c.CreateCommand())
                {
                    insert.CommandText = $"""
                        INSERT INTO audit_entries ({AuditLog.EntryColumns})
                        SELECT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_entries), request_id, operation, target, status, 'released', host_key, recorded_at, leaf_index, witness, X'', X''
                        FROM audit_pending WHERE leaf_index = {pending.LeafIndex}
                        """;
                    insert.ExecuteNonQuery();
                }
                Rehash(c);
            }
            var doubled = AuditVerifier.Verify(both, [TestKeys.Host.PublicKey]);
            Assert.False(doubled.Ok);
            Assert.Contains($"Pending leaf {pending.LeafIndex} also has entry", doubled.Problem);

            var chained = Copy(both);
            using (var c = Open(chained))
            {
                using (var move = c.CreateCommand())
                {
                    move.CommandText = $"DELETE FROM audit_pending; UPDATE audit_entries SET outcome = 'pending' WHERE leaf_index = {pending.LeafIndex}";
                    move.ExecuteNonQuery();
                }
                Rehash(c);
            }
            var inChain = AuditVerifier.Verify(chained, [TestKeys.Host.PublicKey]);
            Assert.False(inChain.Ok);
            Assert.Contains("Its outcome is 'pending'", inChain.Problem);
        }
        finally { Directory.Delete(Path.GetDirectoryName(db)!, recursive: true); }
    }

    [Fact]
    public async Task A_log_of_format_2_without_the_pending_table_verifies_and_gains_it_when_opened()
    {
        var db = Path.Combine(Directory.CreateTempSubdirectory("audit-format-2-").FullName, "audit.db");
        await using (var h = ChannelHarness.Create())
        {
            await h.Remote.CreateBucketAsync("old", default);
            using var source = Open(h.Audit.DatabasePath);
            using var target = Open(db);
            source.BackupDatabase(target);
        }
        Sql(db, "DROP TABLE audit_pending");
        var old = AuditVerifier.Verify(db, [TestKeys.Host.PublicKey]);
        Assert.True(old.Ok, old.Problem);
        Assert.Equal(1, old.EntriesChecked);

        using (var reopened = new AuditLog(db)) Assert.Empty(await reopened.ReadPendingAsync(10, default));
        var upgraded = AuditVerifier.Verify(db, [TestKeys.Host.PublicKey]);
        Assert.True(upgraded.Ok, upgraded.Problem);
        Assert.Equal(1, upgraded.EntriesChecked);
        Directory.Delete(Path.GetDirectoryName(db)!, recursive: true);
    }

    private static async Task<PendingWitness> PendingAsync(AuditLog audit)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if ((await audit.ReadPendingAsync(10, default)).FirstOrDefault() is { } pending) return pending;
            await Task.Delay(20); // polling interval of a bounded wait
        }
        throw new TimeoutException("No pending leaf within 30 s.");
    }

    /// <summary>A consistent copy (SQLite's backup) of a live log taken while a GET's leaf is pending.</summary>
    private static async Task<(string Db, PendingWitness Pending)> SnapshotWithPendingLeafAsync()
    {
        await using var h = ChannelHarness.Create();
        var store = h.Remote;
        await store.CreateBucketAsync("snap", default);
        await store.PutObjectAsync("snap", "big.bin", new MemoryStream(RandomNumberGenerator.GetBytes(1024 * 1024)), new PutObjectOptions(), default);
        await using var content = await store.GetObjectAsync("snap", "big.bin", new GetObjectOptions(), default);
        await content.Body.ReadExactlyAsync(new byte[1024]);
        var pending = await PendingAsync(h.Audit);
        var db = Path.Combine(Directory.CreateTempSubdirectory("pending-audit-").FullName, "audit.db");
        using (var source = Open(h.Audit.DatabasePath))
        using (var target = Open(db))
            source.BackupDatabase(target);
        return (db, pending);
    }

    private static AuditVerification Tampered(string db, string sql)
    {
        var copy = Copy(db);
        Sql(copy, sql);
        return AuditVerifier.Verify(copy, [TestKeys.Host.PublicKey]);
    }

    private static string Copy(string db)
    {
        var copy = Path.Combine(Path.GetDirectoryName(db)!, Guid.NewGuid().ToString("n") + ".db");
        File.Copy(db, copy);
        return copy;
    }

    private static SqliteConnection Open(string db)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString());
        c.Open();
        return c;
    }
}
