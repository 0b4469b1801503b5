using Gateway.Channel.Audit;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Data.Sqlite;

namespace Gateway.Channel.Tests;

public class AuditTests
{
    private static async Task<(ChannelHarness H, string Db)> WithEntriesAsync()
    {
        var h = ChannelHarness.Create();
        var store = h.Remote;
        await store.CreateBucketAsync("bucket-one", default);
        for (var i = 0; i < 4; i++)
            await store.PutObjectAsync("bucket-one", $"k{i}", new MemoryStream([(byte)i]), new PutObjectOptions(), default);
        return (h, h.Audit.DatabasePath);
    }

    private static void Sql(string db, string sql)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    [Fact]
    public async Task An_intact_chain_verifies_and_survives_a_reopen()
    {
        var (h, db) = await WithEntriesAsync();
        await using (h)
        {
            var result = AuditVerifier.Verify(db, [TestKeys.Host.PublicKey]);
            Assert.True(result.Ok, result.Problem);
            Assert.Equal(5, result.EntriesChecked);
            // A second log instance continues the same chain.
            using (var again = new AuditLog(db))
            {
                var entry = (await h.Audit.ReadAsync(0, 1, default))[0];
                await again.AppendAsync(Witnesses.Witness.Decode(entry.Witness), default);
            }
            Assert.True(AuditVerifier.Verify(db, [TestKeys.Host.PublicKey]).Ok);
            Assert.Single(await h.Audit.ReadAsync(5, 10, default));
        }
    }

    [Theory]
    [InlineData("UPDATE audit_entries SET status = 'ok ' WHERE seq = 3", 3L)]
    [InlineData("UPDATE audit_entries SET witness = substr(witness, 1, 40) || x'00' || substr(witness, 42) WHERE seq = 2", 2L)]
    [InlineData("DELETE FROM audit_entries WHERE seq = 3", 4L)]
    [InlineData("UPDATE audit_entries SET seq = -seq WHERE seq IN (2, 3); UPDATE audit_entries SET seq = 3 WHERE seq = -2; UPDATE audit_entries SET seq = 2 WHERE seq = -3", 2L)]
    public async Task Edits_gaps_and_reorderings_name_the_first_bad_entry(string tamper, long firstBad)
    {
        var (h, db) = await WithEntriesAsync();
        await using (h)
        {
            h.Audit.Dispose();
            Sql(db, tamper);
            var result = AuditVerifier.Verify(db, [TestKeys.Host.PublicKey]);
            Assert.False(result.Ok);
            Assert.Equal(firstBad, result.FirstBadSequence);
            Assert.NotNull(result.Problem);
        }
    }

    [Fact]
    public async Task Witnesses_from_an_unknown_host_key_fail_verification()
    {
        var (h, db) = await WithEntriesAsync();
        await using (h)
        {
            var result = AuditVerifier.Verify(db, [TestKeys.Stranger.PublicKey]);
            Assert.False(result.Ok);
            Assert.Equal(1, result.FirstBadSequence);
            Assert.Contains("unknown bridge-host key", result.Problem);
        }
    }
}
