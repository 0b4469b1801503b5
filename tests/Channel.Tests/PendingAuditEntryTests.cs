using System.Security.Cryptography;
using Gateway.Channel.Audit;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Data.Sqlite;
using static Gateway.Channel.Tests.AuditTamper;

namespace Gateway.Channel.Tests;

/// <summary>
/// A streamed answer the caller is still reading when its leaf is covered by a signed head: the head's commit writes a
/// <c>pending</c> entry with the witness as the host signed it, so the live log verifies (the pending entry is named as
/// unresolved), and the call's outcome follows as a second entry for the same leaf.
/// </summary>
public class PendingAuditEntryTests
{
    private const string Get = "object-storage.get-object";

    [Fact]
    public async Task A_slow_reader_leaves_a_pending_entry_the_live_log_verifies_with_and_its_outcome_follows()
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

        var pending = await AuditWait.ForEntryAsync(h.Audit, e => e.Operation == Get, "the GET still being read");
        Assert.Equal(WitnessRecord.Pending, pending.Outcome);
        var live = AuditVerifier.Verify(h.Audit.DatabasePath, [TestKeys.Host.PublicKey]);
        Assert.True(live.Ok, live.Problem);
        var unresolved = Assert.Single(live.Unresolved);
        Assert.Equal((pending.Sequence, pending.LeafIndex, pending.RequestId), (unresolved.Sequence, unresolved.LeafIndex, unresolved.RequestId));
        Assert.Equal(1, live.UnresolvedCount);

        await content.Body.ReadExactlyAsync(read.AsMemory(64 * 1024));
        Assert.Equal(0, await content.Body.ReadAsync(new byte[1]));
        Assert.Equal(data, read);

        // The answer was released after its outcome entry committed: the leaf now has both, in that order.
        var forLeaf = (await h.Audit.ReadAsync(0, 1000, default)).Where(e => e.LeafIndex == pending.LeafIndex).ToList();
        Assert.Equal([WitnessRecord.Pending, WitnessRecord.Released], forLeaf.Select(e => e.Outcome));
        Assert.Equal(pending.Witness, forLeaf[1].Witness);
        var after = AuditVerifier.Verify(h.Audit.DatabasePath, [TestKeys.Host.PublicKey]);
        Assert.True(after.Ok, after.Problem);
        Assert.Empty(after.Unresolved);
    }

    [Fact]
    public async Task A_log_whose_pending_entry_was_removed_or_given_another_witness_fails()
    {
        var snapshot = await SnapshotWithPendingEntryAsync();
        try
        {
            var intact = AuditVerifier.Verify(snapshot.Db, [TestKeys.Host.PublicKey]);
            Assert.True(intact.Ok, intact.Problem);
            Assert.Equal(snapshot.Pending.Sequence, Assert.Single(intact.Unresolved).Sequence);

            var deleted = Copy(snapshot.Db);
            DeleteAndRehash(deleted, snapshot.Pending.Sequence);
            var removed = AuditVerifier.Verify(deleted, [TestKeys.Host.PublicKey]);
            Assert.False(removed.Ok);
            Assert.Contains($"Leaf {snapshot.Pending.LeafIndex} is covered by the signed heads but has no audit entry", removed.Problem);

            // Another witness that decodes (one byte of its transcript hash changed), the chain re-hashed: it is not the signed leaf.
            var substituted = Copy(snapshot.Db);
            var forged = (byte[])snapshot.Pending.Witness.Clone();
            forged[^1] ^= 0x01;
            Assert.NotNull(Witness.Decode(forged));
            using (var c = Open(substituted))
            {
                using (var u = c.CreateCommand())
                {
                    u.CommandText = "UPDATE audit_entries SET witness = $w WHERE seq = $s";
                    u.Parameters.AddWithValue("$w", forged);
                    u.Parameters.AddWithValue("$s", snapshot.Pending.Sequence);
                    u.ExecuteNonQuery();
                }
                Rehash(c);
            }
            var wrong = AuditVerifier.Verify(substituted, [TestKeys.Host.PublicKey]);
            Assert.False(wrong.Ok);
            Assert.Equal(snapshot.Pending.Sequence, wrong.FirstBadSequence);
            Assert.Contains($"Its witness is not leaf {snapshot.Pending.LeafIndex}", wrong.Problem);

            // A second pending entry for the leaf is a duplicate, not a second chance.
            var doubled = Copy(snapshot.Db);
            using (var c = Open(doubled))
            {
                using (var insert = c.CreateCommand())
                {
                    insert.CommandText = $"INSERT INTO audit_entries ({AuditLog.EntryColumns}) SELECT (SELECT MAX(seq) + 1 FROM audit_entries), request_id, operation, target, status, outcome, host_key, recorded_at, leaf_index, witness, prev_hash, entry_hash FROM audit_entries WHERE seq = {snapshot.Pending.Sequence}";
                    insert.ExecuteNonQuery();
                }
                Rehash(c);
            }
            var duplicated = AuditVerifier.Verify(doubled, [TestKeys.Host.PublicKey]);
            Assert.False(duplicated.Ok);
            Assert.Contains($"A second entry for leaf {snapshot.Pending.LeafIndex}", duplicated.Problem);
        }
        finally { Directory.Delete(Path.GetDirectoryName(snapshot.Db)!, recursive: true); }
    }

    /// <summary>A consistent copy (SQLite's backup) of a live log taken while a GET's entry is pending.</summary>
    private static async Task<(string Db, AuditEntry Pending)> SnapshotWithPendingEntryAsync()
    {
        await using var h = ChannelHarness.Create();
        var store = h.Remote;
        await store.CreateBucketAsync("snap", default);
        await store.PutObjectAsync("snap", "big.bin", new MemoryStream(RandomNumberGenerator.GetBytes(1024 * 1024)), new PutObjectOptions(), default);
        await using var content = await store.GetObjectAsync("snap", "big.bin", new GetObjectOptions(), default);
        await content.Body.ReadExactlyAsync(new byte[1024]);
        var pending = await AuditWait.ForEntryAsync(h.Audit, e => e.Operation == Get, "the GET still being read");
        Assert.Equal(WitnessRecord.Pending, pending.Outcome);
        var db = Path.Combine(Directory.CreateTempSubdirectory("pending-audit-").FullName, "audit.db");
        using (var source = Open(h.Audit.DatabasePath))
        using (var target = Open(db))
            source.BackupDatabase(target);
        return (db, pending);
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
