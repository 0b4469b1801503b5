using Gateway.Channel.Witnesses;
using Microsoft.Data.Sqlite;

namespace Gateway.Channel.Audit;

/// <summary>
/// Pending leaves: a head's commit covers a call that still reads its answer (a slow download), so the call has no
/// outcome yet. Its witness, as the host signed it, goes into <c>audit_pending</c> in that same commit, so every leaf
/// under a durable head is accounted for; the call's outcome entry, when it comes, deletes the row in its own commit.
/// A row left behind names a call whose outcome the gateway never recorded (it stopped while the answer was read).
/// The rows are outside the entry chain: the leaf hash pins their bytes, and one entry per leaf stays the chain's rule.
/// </summary>
public sealed partial class AuditLog
{
    internal const string PendingColumns = "leaf_index, request_id, operation, target, status, host_key, recorded_at, witness";

    // Rows found at open were left by a gateway that stopped while their answers were read: nothing in this process
    // can resolve them. Rows since then belong to calls still reading; the write loop keeps the count after each commit.
    private long _unresolvedAtOpen;
    private long _pendingRows;
    private long _pendingDelta;

    /// <summary>
    /// The first leaf index of this process's run: a pending row below it was left by an earlier run (unresolved), one at
    /// or above it is a call that is still reading its answer.
    /// </summary>
    public long FirstLeafOfRun { get; private set; }

    /// <summary>Pending rows: left unresolved by an earlier run, and held by calls of this run still reading their answers.</summary>
    public (long Unresolved, long Reading) PendingCounts
    {
        get
        {
            var unresolved = Volatile.Read(ref _unresolvedAtOpen);
            return (unresolved, Volatile.Read(ref _pendingRows) - unresolved);
        }
    }

    private void LoadPendingState()
    {
        using var count = _writer.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM audit_pending";
        _unresolvedAtOpen = _pendingRows = (long)count.ExecuteScalar()!;
        FirstLeafOfRun = _frontier.Size;
    }

    /// <summary>Called by the write loop once a batch has committed (<paramref name="committed"/>) or rolled back.</summary>
    private void SettlePendingDelta(bool committed)
    {
        if (committed) Volatile.Write(ref _pendingRows, _pendingRows + _pendingDelta);
        _pendingDelta = 0;
    }

    /// <summary>Added in log format 3; a log of format 2 gains the empty table when a gateway opens it.</summary>
    private void CreatePendingTable() => Execute("""
        CREATE TABLE IF NOT EXISTS audit_pending (
            leaf_index INTEGER PRIMARY KEY,
            request_id TEXT NOT NULL,
            operation TEXT NOT NULL,
            target TEXT NOT NULL,
            status TEXT NOT NULL,
            host_key TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            witness BLOB NOT NULL);
        """);

    private void InsertPending(SqliteTransaction tx, WitnessRecord e)
    {
        using var insert = _writer.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = $"INSERT INTO audit_pending ({PendingColumns}) VALUES ($leaf, $rid, $op, $target, $status, $host, $at, $witness)";
        insert.Parameters.AddWithValue("$leaf", e.LeafIndex);
        insert.Parameters.AddWithValue("$rid", e.Witness.RequestId);
        insert.Parameters.AddWithValue("$op", e.Witness.Operation);
        insert.Parameters.AddWithValue("$target", e.Witness.Target);
        insert.Parameters.AddWithValue("$status", e.Witness.Status);
        insert.Parameters.AddWithValue("$host", e.HostKey);
        insert.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O"));
        insert.Parameters.AddWithValue("$witness", e.Encoded);
        _pendingDelta += insert.ExecuteNonQuery();
    }

    private void DeletePending(SqliteTransaction tx, long leafIndex)
    {
        using var delete = _writer.CreateCommand();
        delete.Transaction = tx;
        delete.CommandText = "DELETE FROM audit_pending WHERE leaf_index = $leaf";
        delete.Parameters.AddWithValue("$leaf", leafIndex);
        _pendingDelta -= delete.ExecuteNonQuery();
    }

    /// <summary>The pending leaves (oldest first, at most <paramref name="limit"/>): calls whose outcome is not recorded yet.</summary>
    public Task<IReadOnlyList<PendingWitness>> ReadPendingAsync(int limit, CancellationToken ct) => ReadPendingAsync(-1, limit, ct);

    /// <summary>The pending leaves after leaf index <paramref name="after"/> (oldest first, at most <paramref name="limit"/>).</summary>
    public async Task<IReadOnlyList<PendingWitness>> ReadPendingAsync(long after, int limit, CancellationToken ct)
    {
        await using var c = new SqliteConnection(_connectionString);
        await c.OpenAsync(ct).ConfigureAwait(false);
        await using var query = c.CreateCommand();
        query.CommandText = $"SELECT {PendingColumns} FROM audit_pending WHERE leaf_index > $after ORDER BY leaf_index LIMIT $limit";
        query.Parameters.AddWithValue("$after", after);
        query.Parameters.AddWithValue("$limit", limit);
        await using var r = await query.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<PendingWitness>();
        while (await r.ReadAsync(ct).ConfigureAwait(false)) list.Add(ReadPending(r));
        return list;
    }

    internal static PendingWitness ReadPending(SqliteDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
        DateTimeOffset.Parse(r.GetString(6), System.Globalization.CultureInfo.InvariantCulture), (byte[])r[7]);
}

/// <summary>A covered leaf whose call had not finished when its head was committed: the witness as the host signed it.</summary>
public sealed record PendingWitness(long LeafIndex, string RequestId, string Operation, string Target, string Status, string HostKey,
    DateTimeOffset RecordedAt, byte[] Witness);
