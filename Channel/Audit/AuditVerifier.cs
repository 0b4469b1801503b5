using System.Security.Cryptography;
using Gateway.Channel.Identity;
using Gateway.Channel.Witnesses;
using Microsoft.Data.Sqlite;

namespace Gateway.Channel.Audit;

/// <summary>Result of an offline chain check. <see cref="FirstBadSequence"/> names the first entry that fails.</summary>
public sealed record AuditVerification(bool Ok, long EntriesChecked, long? FirstBadSequence, string? Problem);

/// <summary>
/// Walks the chain in sequence order with nothing but the database and the bridge hosts' public keys: checks
/// contiguous sequence numbers (gaps), the previous-hash link, the entry hash (edits), each witness's hybrid
/// signature, and that the indexed columns match the signed witness.
/// </summary>
public static class AuditVerifier
{
    public static AuditVerification Verify(string databasePath, IReadOnlyCollection<HybridPublicKey> hostKeys)
    {
        if (!File.Exists(databasePath)) return new AuditVerification(false, 0, null, $"No audit database at {databasePath}.");
        var keys = hostKeys.ToDictionary(k => k.Fingerprint.ToString(), StringComparer.Ordinal);
        var cs = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        using var connection = new SqliteConnection(cs);
        connection.Open();
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT seq, request_id, operation, target, status, host_key, recorded_at, witness, prev_hash, entry_hash FROM audit_entries ORDER BY seq";
        using var reader = query.ExecuteReader();
        long expected = 1;
        var previous = new byte[32];
        long checkedCount = 0;
        while (reader.Read())
        {
            AuditEntry e;
            try { e = AuditLog.ReadEntry(reader); }
            catch (Exception ex) when (ex is FormatException or InvalidCastException)
            {
                return new AuditVerification(false, checkedCount, expected, "The entry's columns are malformed.");
            }
            if (e.Sequence != expected)
                return Bad(checkedCount, e.Sequence, e.Sequence > expected ? $"Gap: entries {expected}..{e.Sequence - 1} are missing." : "Sequence out of order.");
            if (!CryptographicOperations.FixedTimeEquals(e.PreviousHash, previous))
                return Bad(checkedCount, e.Sequence, "Its previous-hash does not match the entry before it (reordered or an entry was removed).");
            if (!CryptographicOperations.FixedTimeEquals(e.EntryHash, AuditLog.EntryHash(e.Sequence, e.PreviousHash, e.Witness)))
                return Bad(checkedCount, e.Sequence, "Its entry hash does not match its content (edited).");
            Witness w;
            try { w = Witness.Decode(e.Witness); }
            catch (FormatException) { return Bad(checkedCount, e.Sequence, "Its witness is malformed."); }
            if (!keys.TryGetValue(e.HostKey, out var key) || !w.VerifySignature(key))
                return Bad(checkedCount, e.Sequence, keys.ContainsKey(e.HostKey) ? "Its witness signature does not verify." : $"It was signed by an unknown bridge-host key {e.HostKey}.");
            if (w.RequestId != e.RequestId || w.Operation != e.Operation || w.Target != e.Target || w.Status != e.Status)
                return Bad(checkedCount, e.Sequence, "Its indexed columns differ from the signed witness (edited).");
            previous = e.EntryHash;
            expected++;
            checkedCount++;
        }
        return new AuditVerification(true, checkedCount, null, null);
    }

    private static AuditVerification Bad(long count, long sequence, string problem) => new(false, count, sequence, problem);
}
