using Gateway.Channel.Audit;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Data.Sqlite;
using static Gateway.Channel.Tests.AuditTamper;

namespace Gateway.Channel.Tests;

public class AuditTests
{
    private static async Task<(ChannelHarness H, string Db)> WithEntriesAsync(int puts = 4)
    {
        var h = ChannelHarness.Create();
        var store = h.Remote;
        await store.CreateBucketAsync("bucket-one", default);
        for (var i = 0; i < puts; i++)
            await store.PutObjectAsync("bucket-one", $"k{i}", new MemoryStream([(byte)i]), new PutObjectOptions(), default);
        return (h, h.Audit.DatabasePath);
    }

    [Fact]
    public async Task An_intact_log_verifies_and_survives_a_reopen()
    {
        var (h, db) = await WithEntriesAsync();
        await using (h)
        {
            var result = AuditVerifier.Verify(db, [TestKeys.Host.PublicKey]);
            Assert.True(result.Ok, result.Problem);
            Assert.Equal(5, result.EntriesChecked);
            Assert.Equal(5, result.TreeSize);
            Assert.True(result.HeadsChecked >= 1);
            // A second log instance over the same file continues where the first stopped.
            var checkpoint = h.Audit.Checkpoint;
            using var again = new AuditLog(db);
            Assert.Equal(checkpoint.Frontier.Size, again.Checkpoint.Frontier.Size);
            Assert.Equal(checkpoint.Head!.Hash(), again.Checkpoint.Head!.Hash());
        }
    }

    [Fact]
    public async Task Appends_are_durable_when_the_call_returns()
    {
        var (h, db) = await WithEntriesAsync(puts: 1);
        await using (h)
        {
            // Another connection (as after a crash) sees the entry at once: it was committed before the answer was released.
            using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM audit_entries WHERE outcome = 'released'";
            Assert.Equal(2L, (long)cmd.ExecuteScalar()!);
            using var sync = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString());
            sync.Open();
            using var mode = sync.CreateCommand();
            mode.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", (string)mode.ExecuteScalar()!);
        }
    }

    [Theory]
    [InlineData("UPDATE audit_entries SET status = 'ok ' WHERE seq = 3", 3L)]
    [InlineData("UPDATE audit_entries SET witness = substr(witness, 1, 40) || x'00' || substr(witness, 42) WHERE seq = 2", 2L)]
    [InlineData("DELETE FROM audit_entries WHERE seq = 3", 4L)]
    [InlineData("UPDATE audit_entries SET host_key = 'sha256:' || hex(randomblob(32)) WHERE seq = 3", 3L)]
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

    /// <summary>
    /// An undecodable witness is kept as refused:malformed with empty columns; relabelling a real entry that way (to
    /// blank its columns) and re-hashing the chain is caught, because its witness bytes, pinned by the tree, decode.
    /// </summary>
    [Fact]
    public async Task A_real_entry_relabelled_as_malformed_is_found()
    {
        var (h, db) = await WithEntriesAsync();
        await using (h)
        {
            h.Audit.Dispose();
            using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString()))
            {
                c.Open();
                using (var cmd = c.CreateCommand())
                {
                    cmd.CommandText = "UPDATE audit_entries SET outcome = 'refused:malformed', operation = '', target = '', status = '' WHERE seq = 3";
                    cmd.ExecuteNonQuery();
                }
                Rehash(c);
            }
            var result = AuditVerifier.Verify(db, [TestKeys.Host.PublicKey]);
            Assert.False(result.Ok);
            Assert.Equal(3L, result.FirstBadSequence);
            Assert.Contains("recorded as malformed", result.Problem);
        }
    }

    [Fact]
    public async Task An_entry_deleted_from_the_middle_and_the_chain_re_hashed_is_found_and_named()
    {
        var (h, db) = await WithEntriesAsync(puts: 9);
        await using (h)
        {
            h.Audit.Dispose();
            var victim = (await new AuditLogReader(db).EntryAsync(5))!;
            DeleteAndRehash(db, 5);
            var result = AuditVerifier.Verify(db, [TestKeys.Host.PublicKey]);
            Assert.False(result.Ok);
            Assert.Contains($"Leaf {victim.LeafIndex} is covered by the signed heads but has no audit entry", result.Problem);
            Assert.Contains("between entries 4 and 5", result.Problem);
        }
    }

    [Fact]
    public async Task Deleting_the_entry_and_its_leaf_breaks_the_signed_roots()
    {
        var (h, db) = await WithEntriesAsync(puts: 9);
        await using (h)
        {
            h.Audit.Dispose();
            var victim = (await new AuditLogReader(db).EntryAsync(5))!;
            DeleteAndRehash(db, 5);
            Sql(db, $"DELETE FROM audit_leaves WHERE leaf_index = {victim.LeafIndex}; UPDATE audit_leaves SET leaf_index = -(leaf_index - 1) WHERE leaf_index > {victim.LeafIndex}; UPDATE audit_leaves SET leaf_index = -leaf_index WHERE leaf_index < 0");
            var result = AuditVerifier.Verify(db, [TestKeys.Host.PublicKey]);
            Assert.False(result.Ok);
            Assert.Contains("does not match the stored leaves", result.Problem);
        }
    }

    [Fact]
    public async Task A_truncated_tail_passes_alone_but_fails_against_a_checkpoint_naming_the_gap()
    {
        var (h, db) = await WithEntriesAsync(puts: 6);
        await using (h)
        {
            var checkpoint = h.Audit.LatestHead!;
            Assert.Equal(7, checkpoint.TreeSize);
            h.Audit.Dispose();
            // Remove the last two calls: their entries, their leaves and every head that covered them.
            Sql(db, "DELETE FROM audit_entries WHERE leaf_index >= 5; DELETE FROM audit_leaves WHERE leaf_index >= 5; DELETE FROM audit_heads WHERE tree_size > 5;");
            // Each sequential call got its own head, so the shortened log is self-consistent: alone, nothing shows.
            var alone = AuditVerifier.Verify(db, [TestKeys.Host.PublicKey]);
            Assert.True(alone.Ok, alone.Problem);
            var withCheckpoint = AuditVerifier.Verify(db, [TestKeys.Host.PublicKey], checkpoint);
            Assert.False(withCheckpoint.Ok);
            Assert.Contains("leaves 5..6", withCheckpoint.Problem);
            Assert.Contains("removed from the tail", withCheckpoint.Problem);
            // The untouched log passes against the same checkpoint.
        }
    }

    [Fact]
    public async Task A_checkpoint_signed_by_an_untrusted_key_is_refused()
    {
        var (h, db) = await WithEntriesAsync(puts: 1);
        await using (h)
        {
            var forged = h.Audit.LatestHead!.SignWith(TestKeys.Stranger);
            var result = AuditVerifier.Verify(db, [TestKeys.Host.PublicKey], forged);
            Assert.False(result.Ok);
            Assert.Contains("not signed by a trusted", result.Problem);
        }
    }

    /// <summary>A restart continues the log from the last head's stored frontier: an edited one is found, and not used.</summary>
    [Theory]
    [InlineData("zeroblob(length(frontier))")]
    [InlineData("frontier || x'00'")]
    [InlineData("'not a blob'")]
    public async Task An_edited_frontier_is_found_and_a_gateway_does_not_continue_from_it(string edited)
    {
        var (h, db) = await WithEntriesAsync();
        await using (h)
        {
            h.Audit.Dispose();
            Sql(db, $"UPDATE audit_heads SET frontier = {edited} WHERE head_id = (SELECT MAX(head_id) FROM audit_heads)");
            var result = AuditVerifier.Verify(db, [TestKeys.Host.PublicKey]);
            Assert.False(result.Ok);
            Assert.Contains("stored frontier", result.Problem);
            var refused = Assert.Throws<InvalidDataException>(() => new AuditLog(db));
            Assert.Contains("the audit log was edited", refused.Message);
        }
    }

    [Fact]
    public async Task Heads_from_an_unknown_host_key_fail_verification()
    {
        var (h, db) = await WithEntriesAsync();
        await using (h)
        {
            var result = AuditVerifier.Verify(db, [TestKeys.Stranger.PublicKey]);
            Assert.False(result.Ok);
            Assert.Contains("unknown bridge-host key", result.Problem);
        }
    }

    [Fact]
    public async Task A_removed_or_forked_head_is_found()
    {
        var (h, db) = await WithEntriesAsync();
        await using (h)
        {
            h.Audit.Dispose();
            Sql(db, "DELETE FROM audit_heads WHERE head_id = (SELECT MIN(head_id) + 1 FROM audit_heads)");
            var result = AuditVerifier.Verify(db, [TestKeys.Host.PublicKey]);
            Assert.False(result.Ok);
            Assert.Contains("does not name head", result.Problem);
        }
    }

    [Fact]
    public async Task Proofs_served_from_the_log_verify()
    {
        var (h, db) = await WithEntriesAsync(puts: 6);
        await using (h)
        {
            var head = h.Audit.LatestHead!;
            foreach (var e in await h.Audit.ReadAsync(0, 100, default))
            {
                var proof = await h.Audit.InclusionProofAsync(e.LeafIndex, head.TreeSize, default);
                Assert.True(MerkleTree.VerifyInclusion(e.LeafIndex, head.TreeSize, MerkleTree.LeafHash(e.Witness), proof, head.RootHash));
            }
            for (long first = 1; first <= head.TreeSize; first++)
            {
                var proof = await h.Audit.ConsistencyProofAsync(first, head.TreeSize, default);
                Assert.True(MerkleTree.VerifyConsistency(first, head.TreeSize, await h.Audit.RootAsync(first, default), head.RootHash, proof));
            }
            Assert.True(AuditVerifier.Verify(db, [TestKeys.Host.PublicKey]).Ok);
        }
    }

    /// <summary>Reads one entry straight from the file (the log object is already disposed).</summary>
    private sealed class AuditLogReader(string db)
    {
        public async Task<AuditEntry?> EntryAsync(long seq)
        {
            await using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            await c.OpenAsync();
            await using var q = c.CreateCommand();
            q.CommandText = $"SELECT {AuditLog.EntryColumns} FROM audit_entries WHERE seq = {seq}";
            return (await AuditLog.ReadEntriesAsync(q, default)).FirstOrDefault();
        }
    }

    [Fact]
    public async Task The_latest_head_a_reader_sees_is_always_provable_from_the_database()
    {
        // A head is appended in memory at once and written by the commit loop later; a reader (the proof and
        // consistency endpoints) must only ever see a head whose leaves are already in the database.
        var root = Path.Combine(Path.GetTempPath(), "audit-durable-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var audit = new AuditLog(Path.Combine(root, "audit.db"));
            var leaves = new List<byte[]>();
            var writing = Task.Run(async () =>
            {
                var frontier = new MerkleFrontier();
                SignedTreeHead? previous = null;
                for (var i = 0; i < 100; i++)
                {
                    var leaf = MerkleTree.LeafHash(BitConverter.GetBytes(i));
                    lock (leaves) leaves.Add(leaf);
                    frontier.Append(leaf);
                    var head = new SignedTreeHead
                    {
                        TreeSize = frontier.Size, RootHash = frontier.Root(), Timestamp = Witness.TruncateToMicros(DateTimeOffset.UtcNow),
                        HostKeyFingerprint = new byte[32], PreviousHeadHash = previous?.Hash() ?? new byte[32],
                    }.SignWith(TestKeys.Host);
                    await audit.AppendHeadAsync(new HeadBatch(head, i, [leaf]), []);
                    previous = head;
                }
            });
            var proved = 0;
            while (!writing.IsCompleted)
            {
                if (audit.LatestHead is not { } head) { await Task.Yield(); continue; }
                // Leaf 0's audit path covers the newest leaves (the last leaf's own path never reads that leaf).
                const long index = 0;
                var path = await audit.InclusionProofAsync(index, head.TreeSize, default);
                byte[] leaf;
                lock (leaves) leaf = leaves[0];
                Assert.True(MerkleTree.VerifyInclusion(index, head.TreeSize, leaf, path, head.RootHash), $"no valid proof of leaf {index} under head {head.TreeSize}");
                proved++;
            }
            await writing;
            Assert.Equal(100, audit.LatestHead!.TreeSize);
            Assert.True(proved > 0, "the reader never saw a head while the heads were written");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
