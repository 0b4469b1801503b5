using Gateway.Channel.Audit;
using Microsoft.Data.Sqlite;

namespace Gateway.Channel.Tests;

/// <summary>Edits an audit database the way someone with write access to the file would.</summary>
internal static class AuditTamper
{
    internal static void Sql(string db, string sql)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>What the review did: delete entry <paramref name="seq"/>, renumber the rest and re-hash the whole entry chain.</summary>
    internal static void DeleteAndRehash(string db, long seq)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString());
        c.Open();
        void Run(string sql) { using var cmd = c.CreateCommand(); cmd.CommandText = sql; cmd.ExecuteNonQuery(); }
        Run($"DELETE FROM audit_entries WHERE seq = {seq}");
        Run($"UPDATE audit_entries SET seq = -(seq - 1) WHERE seq > {seq}; UPDATE audit_entries SET seq = -seq WHERE seq < 0");
        Rehash(c);
    }

    /// <summary>Recomputes every entry's previous and entry hash, as someone editing the database would.</summary>
    internal static void Rehash(SqliteConnection c)
    {
        var rows = new List<(long Seq, long Leaf, string Outcome, byte[] Witness)>();
        using (var q = c.CreateCommand())
        {
            q.CommandText = "SELECT seq, leaf_index, outcome, witness FROM audit_entries ORDER BY seq";
            using var r = q.ExecuteReader();
            while (r.Read()) rows.Add((r.GetInt64(0), r.GetInt64(1), r.GetString(2), (byte[])r[3]));
        }
        var previous = new byte[32];
        foreach (var row in rows)
        {
            var hash = AuditLog.EntryHash(row.Seq, previous, row.Leaf, row.Outcome, row.Witness);
            using var u = c.CreateCommand();
            u.CommandText = "UPDATE audit_entries SET prev_hash = $p, entry_hash = $h WHERE seq = $s";
            u.Parameters.AddWithValue("$p", previous);
            u.Parameters.AddWithValue("$h", hash);
            u.Parameters.AddWithValue("$s", row.Seq);
            u.ExecuteNonQuery();
            previous = hash;
        }
    }
}
