using System.Security.Cryptography;
using Gateway.Channel.Witnesses;
using Microsoft.Data.Sqlite;

namespace Gateway.Channel.Audit;

public static partial class AuditVerifier
{
    private const int MaxUnresolvedListed = 1000;

    private sealed record PendingCheck(AuditVerification? Problem, bool HasTable, IReadOnlyList<UnresolvedEntry> Unresolved, long UnresolvedCount)
    {
        public bool Ok => Problem is null;
    }

    /// <summary>
    /// Each row of audit_pending is a covered leaf whose call had not finished when its head was committed. It accounts
    /// for its leaf only when its bytes are that leaf (the signed tree pins them), its columns are the witness's, and
    /// the leaf has no outcome entry (the entry's commit deletes the row). A log of format 2 has no such table.
    /// </summary>
    private static PendingCheck VerifyPending(SqliteTransaction snapshot, long treeSize, LeafSigners signers)
    {
        using (var exists = Query(snapshot, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit_pending'"))
            if (Convert.ToInt64(exists.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0) return new PendingCheck(null, false, [], 0);
        using var query = Query(snapshot, $"""
            SELECT {string.Join(", ", AuditLog.PendingColumns.Split(", ").Select(c => "p." + c))}, l.leaf_hash,
                   (SELECT MIN(e.seq) FROM audit_entries e WHERE e.leaf_index = p.leaf_index)
            FROM audit_pending p LEFT JOIN audit_leaves l ON l.leaf_index = p.leaf_index ORDER BY p.leaf_index
            """);
        using var reader = query.ExecuteReader();
        var unresolved = new List<UnresolvedEntry>();
        long count = 0;
        long? previous = null;
        PendingCheck Bad(string problem) => new(new AuditVerification(false, 0, null, problem), true, [], 0);
        while (reader.Read())
        {
            PendingWitness p;
            try { p = AuditLog.ReadPending(reader); }
            catch (Exception e) when (e is FormatException or InvalidCastException) { return Bad("A pending leaf's columns are malformed."); }
            // The table's key makes a leaf's row unique; a second row for one leaf means the table itself was replaced.
            if (p.LeafIndex == previous) return Bad($"Pending leaf {p.LeafIndex} has more than one row (edited).");
            previous = p.LeafIndex;
            Witness? w;
            try { w = Witness.Decode(p.Witness); }
            catch (FormatException) { w = null; }
            // Bytes that do not decode are kept as the host signed them, with blank columns (their outcome will be refused:malformed).
            if (w is null ? p.Operation != "" || p.Target != "" || p.Status != "" || p.RequestId != ""
                : w.RequestId != p.RequestId || w.Operation != p.Operation || w.Target != p.Target || w.Status != p.Status)
                return Bad($"Pending leaf {p.LeafIndex}: its columns differ from its witness (edited).");
            if (p.LeafIndex >= treeSize)
                return Bad($"Pending leaf {p.LeafIndex} is not covered by any signed head.");
            if (reader[8] is not byte[] leaf || !CryptographicOperations.FixedTimeEquals(leaf, MerkleTree.LeafHash(p.Witness)))
                return Bad($"Pending leaf {p.LeafIndex}: its witness is not leaf {p.LeafIndex} of the signed tree (edited or substituted).");
            if (signers.KeyOf(p.LeafIndex) is { } signer && p.HostKey != signer)
                return Bad($"Pending leaf {p.LeafIndex}: its host_key {p.HostKey} is not {signer}, the key of the first head over it (edited).");
            if (!reader.IsDBNull(9))
                return Bad($"Pending leaf {p.LeafIndex} also has entry {reader.GetInt64(9)}: an outcome's commit removes its pending row (edited).");
            if (count++ < MaxUnresolvedListed) unresolved.Add(new UnresolvedEntry(p.LeafIndex, p.RequestId, p.Operation, p.Target, p.RecordedAt));
        }
        return new PendingCheck(null, true, unresolved, count);
    }
}
