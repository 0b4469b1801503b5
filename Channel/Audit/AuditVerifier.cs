using System.Security.Cryptography;
using Gateway.Channel.Identity;
using Gateway.Channel.Witnesses;
using Microsoft.Data.Sqlite;

namespace Gateway.Channel.Audit;

/// <summary>Result of an offline check. <see cref="FirstBadSequence"/> names the first entry that fails, when an entry does.</summary>
public sealed record AuditVerification(bool Ok, long EntriesChecked, long? FirstBadSequence, string? Problem)
{
    public long HeadsChecked { get; init; }
    public long TreeSize { get; init; }
    /// <summary>Pending leaves that never got their outcome entry: the gateway stopped while the call read its answer.</summary>
    public IReadOnlyList<UnresolvedEntry> Unresolved { get; init; } = [];
    /// <summary>How many there are (<see cref="Unresolved"/> lists the first 1000).</summary>
    public long UnresolvedCount { get; init; }
}

/// <summary>A pending leaf (its witness checks out, covered by a signed head) with no outcome entry.</summary>
public sealed record UnresolvedEntry(long LeafIndex, string RequestId, string Operation, string Target, DateTimeOffset RecordedAt);

/// <summary>
/// Checks the transparency log with nothing but the database and the bridge hosts' public keys:
/// 1. heads, in the order received: signature under a trusted key, a chain of previous-head hashes, no rollback, no
///    fork, and that the stored leaves reproduce every head's root (so no leaf was changed, removed or inserted) and its
///    stored frontier (what a restart continues from);
/// 2. entries: contiguous sequence and hash chain, the witness decodes, the columns match it, its leaf hash is the
///    stored leaf its index names, covered by a head, and its host key is the one that signed the first head over it;
/// 3. pending leaves (audit_pending: a head committed while its call still read the answer): the witness decodes or is
///    recorded blank, the columns match it, it is the stored leaf its index names, and the leaf has no entry; such a
///    leaf is reported as unresolved, not as a failure;
/// 4. coverage: every leaf the heads cover has an entry or a pending row (an entry removed from the middle shows here,
///    even when the chain after it was re-hashed);
/// 5. with a checkpoint (a head saved earlier): it is signed by a trusted key and the log still holds it: its size is
///    covered and the tree at that size has its root (entries removed from the tail show here).
/// </summary>
public static partial class AuditVerifier
{
    private static readonly string MalformedOutcome = WitnessRecord.Refused(WitnessFailure.Malformed);

    public static AuditVerification Verify(string databasePath, IReadOnlyCollection<HybridPublicKey> hostKeys, SignedTreeHead? checkpoint = null)
    {
        if (!File.Exists(databasePath)) return new AuditVerification(false, 0, null, $"No audit database at {databasePath}.");
        var keys = hostKeys.ToDictionary(k => k.Fingerprint.ToString(), StringComparer.Ordinal);
        var cs = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        // One connection and one read transaction: every query sees the same snapshot, so a log the gateway is writing
        // to meanwhile is checked as it was at one commit (heads, their leaves and the entries written with them).
        using var db = new SqliteConnection(cs);
        db.Open();
        using var snapshot = db.BeginTransaction(deferred: true);
        if (checkpoint is not null && !(keys.TryGetValue(checkpoint.HostKey, out var cpKey) && checkpoint.VerifySignature(cpKey)))
            return new AuditVerification(false, 0, null, $"The checkpoint head is not signed by a trusted bridge-host key ({checkpoint.HostKey}).");
        var signers = new LeafSigners();
        var heads = VerifyHeads(snapshot, keys, checkpoint, signers);
        if (!heads.Ok) return heads;
        var entries = VerifyEntries(snapshot, heads.TreeSize, signers);
        if (!entries.Ok) return entries with { HeadsChecked = heads.HeadsChecked, TreeSize = heads.TreeSize };
        var pending = VerifyPending(snapshot, heads.TreeSize, signers);
        // A pending or coverage problem comes after every entry checked out: it reports them, not 0.
        var coverage = pending.Problem ?? VerifyCoverage(snapshot, pending.HasTable);
        return (coverage ?? entries) with
        {
            EntriesChecked = entries.EntriesChecked, HeadsChecked = heads.HeadsChecked, TreeSize = heads.TreeSize,
            Unresolved = pending.Unresolved, UnresolvedCount = pending.UnresolvedCount,
        };
    }

    private static SqliteCommand Query(SqliteTransaction snapshot, string sql)
    {
        var command = snapshot.Connection!.CreateCommand();
        command.Transaction = snapshot;
        command.CommandText = sql;
        return command;
    }

    private static AuditVerification VerifyHeads(SqliteTransaction snapshot, Dictionary<string, HybridPublicKey> keys, SignedTreeHead? checkpoint, LeafSigners signers)
    {
        using var headQuery = Query(snapshot, "SELECT head_id, head, head_hash, frontier FROM audit_heads ORDER BY head_id");
        using var heads = headQuery.ExecuteReader();
        using var leafQuery = Query(snapshot, "SELECT leaf_index, leaf_hash FROM audit_leaves ORDER BY leaf_index");
        using var leaves = leafQuery.ExecuteReader();
        var frontier = new MerkleFrontier();
        byte[]? checkpointRoot = checkpoint?.TreeSize == 0 ? MerkleTree.EmptyRoot() : null;
        var previousHash = new byte[32];
        SignedTreeHead? previous = null;
        long previousId = 0;
        long count = 0;
        var checkpointSeen = false;
        AuditVerification Bad(string problem) => new(false, 0, null, problem) { HeadsChecked = count, TreeSize = frontier.Size };
        while (heads.Read())
        {
            var id = heads.GetInt64(0);
            SignedTreeHead head;
            try { head = SignedTreeHead.Decode((byte[])heads[1]); }
            catch (Exception e) when (e is FormatException or InvalidCastException) { return Bad($"Head #{id} is malformed."); }
            var hash = head.Hash();
            if (heads[2] is not byte[] storedHash || !storedHash.AsSpan().SequenceEqual(hash)) return Bad($"Head #{id}'s stored hash does not match the head (edited).");
            if (!keys.TryGetValue(head.HostKey, out var key)) return Bad($"Head #{id} was signed by an unknown bridge-host key {head.HostKey}.");
            if (!head.VerifySignature(key)) return Bad($"Head #{id}'s signature does not verify under {head.HostKey}.");
            if (previous is not null && head.TreeSize < previous.TreeSize)
                return Bad($"Head #{id} covers {head.TreeSize} leaves, fewer than head #{previousId} before it ({previous.TreeSize}): the log was rolled back.");
            if (previous is not null && head.TreeSize == previous.TreeSize && !head.RootHash.AsSpan().SequenceEqual(previous.RootHash))
                return Bad($"Heads #{previousId} and #{id} both cover {head.TreeSize} leaves with different roots: the log forked.");
            if (!head.PreviousHeadHash.AsSpan().SequenceEqual(previousHash))
                return Bad(previous is null
                    ? $"Head #{id}, the first stored, names a predecessor: the heads before it were removed."
                    : $"Head #{id} does not name head #{previousId} as its predecessor: a head was removed or the log was rewritten.");
            while (frontier.Size < head.TreeSize)
            {
                if (!leaves.Read())
                    return Bad($"The log holds {frontier.Size} leaves but head #{id} (signed {head.Timestamp:O}) covers {head.TreeSize}: leaves {frontier.Size}..{head.TreeSize - 1} are missing.");
                var index = leaves.GetInt64(0);
                if (index != frontier.Size) return Bad($"Leaf {frontier.Size} is missing (the next stored leaf is {index}), though head #{id} covers it.");
                frontier.Append((byte[])leaves[1]);
                if (checkpoint is not null && frontier.Size == checkpoint.TreeSize) checkpointRoot = frontier.Root();
            }
            if (!frontier.Root().AsSpan().SequenceEqual(head.RootHash))
                return Bad($"Head #{id} (size {head.TreeSize}) does not match the stored leaves: a leaf was changed, inserted or removed.");
            // A restarted gateway continues the log from the last head's stored frontier, so it must be the tree's own edge.
            if (heads[3] is not byte[] storedFrontier || !storedFrontier.AsSpan().SequenceEqual(AuditLog.EncodeFrontier(frontier)))
                return Bad($"Head #{id}'s stored frontier (the tree's right edge at size {head.TreeSize}) does not match the stored leaves (edited).");
            signers.Add(head.TreeSize, head.HostKey);
            if (checkpoint is not null && hash.AsSpan().SequenceEqual(checkpoint.Hash())) checkpointSeen = true;
            previous = head;
            previousHash = hash;
            previousId = id;
            count++;
        }
        if (leaves.Read()) return Bad($"Leaves from {leaves.GetInt64(0)} on are not covered by any signed head.");
        if (checkpoint is not null)
        {
            if (checkpoint.TreeSize > frontier.Size)
                return Bad($"The checkpoint head (signed {checkpoint.Timestamp:O}) covers {checkpoint.TreeSize} leaves but the log ends at {frontier.Size}: leaves {frontier.Size}..{checkpoint.TreeSize - 1} and their entries were removed from the tail.");
            if (checkpointRoot is null || !checkpointRoot.AsSpan().SequenceEqual(checkpoint.RootHash))
                return Bad($"The log's tree at size {checkpoint.TreeSize} differs from the checkpoint head: the log was rewritten since the checkpoint was taken.");
            if (!checkpointSeen && previous is not null && previous.TreeSize == checkpoint.TreeSize && previous.Timestamp < checkpoint.Timestamp)
                return Bad($"The checkpoint head (signed {checkpoint.Timestamp:O}) is newer than the last stored head #{previousId} (signed {previous.Timestamp:O}): the heads after it were removed.");
        }
        return new AuditVerification(true, 0, null, null) { HeadsChecked = count, TreeSize = frontier.Size };
    }

    private static AuditVerification VerifyEntries(SqliteTransaction snapshot, long treeSize, LeafSigners signers)
    {
        using var query = Query(snapshot, $"SELECT {string.Join(", ", AuditLog.EntryColumns.Split(", ").Select(c => "e." + c))}, l.leaf_hash FROM audit_entries e LEFT JOIN audit_leaves l ON l.leaf_index = e.leaf_index ORDER BY e.seq");
        using var reader = query.ExecuteReader();
        long expected = 1;
        var previous = new byte[32];
        long checkedCount = 0;
        var leafOwners = new HashSet<long>();
        while (reader.Read())
        {
            AuditEntry e;
            try { e = AuditLog.ReadEntry(reader); }
            catch (Exception ex) when (ex is FormatException or InvalidCastException)
            {
                return Bad(checkedCount, expected, "The entry's columns are malformed.");
            }
            if (e.Sequence != expected)
                return Bad(checkedCount, e.Sequence, e.Sequence > expected ? $"Gap: entries {expected}..{e.Sequence - 1} are missing." : "Sequence out of order.");
            if (!CryptographicOperations.FixedTimeEquals(e.PreviousHash, previous))
                return Bad(checkedCount, e.Sequence, "Its previous-hash does not match the entry before it (reordered or an entry was removed).");
            if (!CryptographicOperations.FixedTimeEquals(e.EntryHash, AuditLog.EntryHash(e.Sequence, e.PreviousHash, e.LeafIndex, e.Outcome, e.Witness)))
                return Bad(checkedCount, e.Sequence, "Its entry hash does not match its content (edited).");
            Witness? w;
            try { w = Witness.Decode(e.Witness); }
            catch (FormatException) { w = null; }
            // A witness the host committed in a form that does not decode is recorded as refused:malformed; the label is
            // believed only for bytes that really do not decode (the leaf hash below pins the bytes).
            var recordedMalformed = e.Outcome == MalformedOutcome;
            if (w is null && !recordedMalformed) return Bad(checkedCount, e.Sequence, "Its witness is malformed.");
            if (w is not null && recordedMalformed) return Bad(checkedCount, e.Sequence, "It is recorded as malformed but its witness decodes (edited).");
            if (w is null ? e.Operation != "" || e.Target != "" || e.Status != ""
                : w.RequestId != e.RequestId || w.Operation != e.Operation || w.Target != e.Target || w.Status != e.Status)
                return Bad(checkedCount, e.Sequence, "Its indexed columns differ from the witness (edited).");
            if (e.LeafIndex >= treeSize)
                return Bad(checkedCount, e.Sequence, $"Its leaf {e.LeafIndex} is not covered by any signed head.");
            if (reader[12] is not byte[] leaf || !CryptographicOperations.FixedTimeEquals(leaf, MerkleTree.LeafHash(e.Witness)))
                return Bad(checkedCount, e.Sequence, $"Its witness is not leaf {e.LeafIndex} of the signed tree (edited or substituted).");
            if (signers.KeyOf(e.LeafIndex) is { } signer && e.HostKey != signer)
                return Bad(checkedCount, e.Sequence, $"Its host_key {e.HostKey} is not {signer}, the key of the first head over leaf {e.LeafIndex} (edited).");
            // "pending" is never an outcome: a call without one is a row of audit_pending, outside the chain.
            if (e.Outcome == WitnessRecord.Pending) return Bad(checkedCount, e.Sequence, "Its outcome is 'pending', which only audit_pending holds (edited).");
            if (!leafOwners.Add(e.LeafIndex))
                return Bad(checkedCount, e.Sequence, $"A second entry for leaf {e.LeafIndex} (duplicated).");
            previous = e.EntryHash;
            expected++;
            checkedCount++;
        }
        return new AuditVerification(true, checkedCount, null, null);
    }

    private static AuditVerification? VerifyCoverage(SqliteTransaction snapshot, bool hasPendingTable)
    {
        using var missing = Query(snapshot, "SELECT l.leaf_index FROM audit_leaves l WHERE NOT EXISTS (SELECT 1 FROM audit_entries e WHERE e.leaf_index = l.leaf_index)"
            + (hasPendingTable ? " AND NOT EXISTS (SELECT 1 FROM audit_pending p WHERE p.leaf_index = l.leaf_index)" : "")
            + " ORDER BY l.leaf_index LIMIT 1");
        if (missing.ExecuteScalar() is not long leaf) return null;
        using var around = Query(snapshot, "SELECT (SELECT MAX(seq) FROM audit_entries WHERE leaf_index < $l), (SELECT MIN(seq) FROM audit_entries WHERE leaf_index > $l)");
        around.Parameters.AddWithValue("$l", leaf);
        using var r = around.ExecuteReader();
        r.Read();
        long? before = r.IsDBNull(0) ? null : r.GetInt64(0);
        long? after = r.IsDBNull(1) ? null : r.GetInt64(1);
        var where = (before, after) switch
        {
            ({ } b, { } a) => $"between entries {b} and {a}",
            ({ } b, null) => $"after entry {b}",
            (null, { } a) => $"before entry {a}",
            _ => "and the log has no entries",
        };
        return new AuditVerification(false, 0, after ?? before, $"Leaf {leaf} is covered by the signed heads but has no audit entry: an entry was removed {where}.");
    }

    private static AuditVerification Bad(long count, long sequence, string problem) => new(false, count, sequence, problem);
}
