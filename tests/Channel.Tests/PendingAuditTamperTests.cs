using Gateway.Channel.Audit;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Data.Sqlite;
using static Gateway.Channel.Tests.AuditTamper;

namespace Gateway.Channel.Tests;

/// <summary>
/// Someone who can rewrite the audit database but cannot sign heads, using pending rows to hide a call.
/// </summary>
public class PendingAuditTamperTests
{
    private const string Put = "object-storage.put-object";

    /// <summary>A finished log (every call released) copied out of the gateway.</summary>
    private static async Task<string> FinishedLogAsync()
    {
        var db = Path.Combine(Directory.CreateTempSubdirectory("pending-tamper-").FullName, "audit.db");
        await using (var h = ChannelHarness.Create())
        {
            await h.Remote.CreateBucketAsync("bkt", default);
            await h.Remote.PutObjectAsync("bkt", "k", new MemoryStream(new byte[4096]), new PutObjectOptions(), default);
            await h.Remote.HeadObjectAsync("bkt", "k", ObjectConditions.None, default);
            using var source = Open(h.Audit.DatabasePath);
            using var target = Open(db);
            source.BackupDatabase(target);
        }
        return db;
    }

    [Fact]
    public async Task An_outcome_entry_turned_back_into_a_pending_row_is_not_hidden_verify_names_the_call_unresolved()
    {
        var db = await FinishedLogAsync();
        try
        {
            var intact = AuditVerifier.Verify(db, [TestKeys.Host.PublicKey]);
            Assert.True(intact.Ok, intact.Problem);
            Assert.Empty(intact.Unresolved);
            using (var c = Open(db))
            {
                using (var move = c.CreateCommand())
                {
                    move.CommandText = $"""
                        INSERT INTO audit_pending ({AuditLog.PendingColumns})
                        SELECT {AuditLog.PendingColumns} FROM audit_entries WHERE operation = '{Put}';
                        DELETE FROM audit_entries WHERE operation = '{Put}';
                        UPDATE audit_entries SET seq = seq - 1 WHERE seq > 2;
                        """;
                    move.ExecuteNonQuery();
                }
                Rehash(c);
            }
            // The outcome column was never more than the gateway's unkeyed word (docs/ctp96.md §7): the edit is possible,
            // but the call stays in the report, by request id, operation and target, as a leaf with no recorded outcome.
            var edited = AuditVerifier.Verify(db, [TestKeys.Host.PublicKey]);
            Assert.True(edited.Ok, edited.Problem);
            var unresolved = Assert.Single(edited.Unresolved);
            Assert.Equal(Put, unresolved.Operation);
            Assert.Equal(1, edited.UnresolvedCount);
        }
        finally { Directory.Delete(Path.GetDirectoryName(db)!, recursive: true); }
    }

    [Fact]
    public async Task A_pending_row_naming_another_host_key_than_the_head_over_it_fails()
    {
        var db = await FinishedLogAsync();
        try
        {
            using (var c = Open(db))
            {
                using var move = c.CreateCommand();
                move.CommandText = $"""
                    INSERT INTO audit_pending ({AuditLog.PendingColumns})
                    SELECT {AuditLog.PendingColumns} FROM audit_entries WHERE operation = '{Put}';
                    DELETE FROM audit_entries WHERE operation = '{Put}';
                    UPDATE audit_entries SET seq = seq - 1 WHERE seq > 2;
                    UPDATE audit_pending SET host_key = '{TestKeys.Stranger.PublicKey.Fingerprint}';
                    """;
                move.ExecuteNonQuery();
                Rehash(c);
            }
            var edited = AuditVerifier.Verify(db, [TestKeys.Host.PublicKey]);
            Assert.False(edited.Ok);
            Assert.Contains($"host_key {TestKeys.Stranger.PublicKey.Fingerprint} is not {TestKeys.Host.PublicKey.Fingerprint}", edited.Problem);
        }
        finally { Directory.Delete(Path.GetDirectoryName(db)!, recursive: true); }
    }

    [Fact]
    public async Task A_pending_row_doubled_in_a_table_rebuilt_without_its_key_fails()
    {
        var db = await FinishedLogAsync();
        try
        {
            using (var c = Open(db))
            {
                using (var rebuild = c.CreateCommand())
                {
                    rebuild.CommandText = $"""
                        DROP TABLE audit_pending;
                        CREATE TABLE audit_pending (leaf_index INTEGER, request_id TEXT, operation TEXT, target TEXT, status TEXT, host_key TEXT, recorded_at TEXT, witness BLOB);
                        INSERT INTO audit_pending ({AuditLog.PendingColumns}) SELECT {AuditLog.PendingColumns} FROM audit_entries WHERE operation = '{Put}';
                        INSERT INTO audit_pending ({AuditLog.PendingColumns}) SELECT {AuditLog.PendingColumns} FROM audit_entries WHERE operation = '{Put}';
                        DELETE FROM audit_entries WHERE operation = '{Put}';
                        UPDATE audit_entries SET seq = seq - 1 WHERE seq > 2;
                        """;
                    rebuild.ExecuteNonQuery();
                }
                Rehash(c);
            }
            var doubled = AuditVerifier.Verify(db, [TestKeys.Host.PublicKey]);
            Assert.False(doubled.Ok);
            Assert.Contains("has more than one row", doubled.Problem);
        }
        finally { Directory.Delete(Path.GetDirectoryName(db)!, recursive: true); }
    }

    private static SqliteConnection Open(string db)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString());
        c.Open();
        return c;
    }
}
