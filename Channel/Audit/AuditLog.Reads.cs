using Gateway.Channel.Witnesses;
using Microsoft.Data.Sqlite;

namespace Gateway.Channel.Audit;

public sealed partial class AuditLog
{
    /// <summary>Entries with sequence above <paramref name="after"/>, oldest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(long after, int limit, CancellationToken ct)
    {
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = $"SELECT {EntryColumns} FROM audit_entries WHERE seq > $after ORDER BY seq LIMIT $limit";
        query.Parameters.AddWithValue("$after", after);
        query.Parameters.AddWithValue("$limit", limit);
        return await ReadEntriesAsync(query, ct).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<AuditEntry>> FindByRequestIdAsync(string requestId, CancellationToken ct) =>
        FindByRequestIdAsync(requestId, 0, int.MaxValue, ct);

    /// <summary>
    /// A page of one request's entries: sequence above <paramref name="after"/>, oldest first. A migration job's run is
    /// one request, so one id can hold millions of entries.
    /// </summary>
    public async Task<IReadOnlyList<AuditEntry>> FindByRequestIdAsync(string requestId, long after, int limit, CancellationToken ct)
    {
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = $"SELECT {EntryColumns} FROM audit_entries WHERE request_id = $rid AND seq > $after ORDER BY seq LIMIT $limit";
        query.Parameters.AddWithValue("$rid", requestId);
        query.Parameters.AddWithValue("$after", after);
        query.Parameters.AddWithValue("$limit", limit);
        return await ReadEntriesAsync(query, ct).ConfigureAwait(false);
    }

    /// <summary>Stored heads after <paramref name="afterId"/>, in the order received.</summary>
    public async Task<IReadOnlyList<AuditHead>> ReadHeadsAsync(long afterId, int limit, CancellationToken ct)
    {
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT head_id, head, head_hash, recorded_at FROM audit_heads WHERE head_id > $after ORDER BY head_id LIMIT $limit";
        query.Parameters.AddWithValue("$after", afterId);
        query.Parameters.AddWithValue("$limit", limit);
        var list = new List<AuditHead>();
        await using var r = await query.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) list.Add(ReadHead(r));
        return list;
    }

    /// <summary>RFC 9162 inclusion proof of leaf <paramref name="leafIndex"/> in the tree of <paramref name="treeSize"/> leaves.</summary>
    public Task<IReadOnlyList<byte[]>> InclusionProofAsync(long leafIndex, long treeSize, CancellationToken ct) =>
        RangeHashesAsync(MerkleTree.InclusionRanges(leafIndex, treeSize), ct);

    /// <summary>RFC 9162 consistency proof from the tree of <paramref name="first"/> leaves to the one of <paramref name="second"/>.</summary>
    public Task<IReadOnlyList<byte[]>> ConsistencyProofAsync(long first, long second, CancellationToken ct) =>
        RangeHashesAsync(MerkleTree.ConsistencyRanges(first, second), ct);

    /// <summary>MTH of the first <paramref name="size"/> leaves.</summary>
    public async Task<byte[]> RootAsync(long size, CancellationToken ct) =>
        size == 0 ? MerkleTree.EmptyRoot() : (await RangeHashesAsync([(0, size)], ct).ConfigureAwait(false))[0];

    /// <summary>Subtree hashes of disjoint leaf ranges, from one ordered pass over the stored leaves (O(log n) memory).</summary>
    private async Task<IReadOnlyList<byte[]>> RangeHashesAsync(List<(long Start, long End)> ranges, CancellationToken ct)
    {
        if (ranges.Count == 0) return [];
        var order = Enumerable.Range(0, ranges.Count).OrderBy(i => ranges[i].Start).ToArray();
        var frontiers = ranges.Select(_ => new MerkleFrontier()).ToArray();
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT leaf_index, leaf_hash FROM audit_leaves WHERE leaf_index >= $from AND leaf_index < $to ORDER BY leaf_index";
        query.Parameters.AddWithValue("$from", ranges[order[0]].Start);
        query.Parameters.AddWithValue("$to", ranges.Max(r => r.End));
        await using var reader = await query.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var at = 0;
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var index = reader.GetInt64(0);
            while (at < order.Length && index >= ranges[order[at]].End) at++;
            if (at == order.Length) break;
            var range = ranges[order[at]];
            if (index < range.Start) continue;
            if (index != range.Start + frontiers[order[at]].Size) throw new InvalidOperationException($"The audit log has no leaf {range.Start + frontiers[order[at]].Size}.");
            frontiers[order[at]].Append((byte[])reader[1]);
        }
        for (var i = 0; i < ranges.Count; i++)
            if (frontiers[i].Size != ranges[i].End - ranges[i].Start)
                throw new InvalidOperationException($"The audit log has no leaf {ranges[i].Start + frontiers[i].Size}.");
        return frontiers.Select(f => f.Root()).ToArray();
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        return connection;
    }

    internal static async Task<IReadOnlyList<AuditEntry>> ReadEntriesAsync(SqliteCommand query, CancellationToken ct)
    {
        var list = new List<AuditEntry>();
        await using var reader = await query.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) list.Add(ReadEntry(reader));
        return list;
    }

    internal static AuditEntry ReadEntry(SqliteDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6),
        DateTimeOffset.Parse(r.GetString(7), System.Globalization.CultureInfo.InvariantCulture),
        r.GetInt64(8), (byte[])r[9], (byte[])r[10], (byte[])r[11]);

    internal static AuditHead ReadHead(SqliteDataReader r) => new(
        r.GetInt64(0), SignedTreeHead.Decode((byte[])r[1]), (byte[])r[2],
        DateTimeOffset.Parse(r.GetString(3), System.Globalization.CultureInfo.InvariantCulture));
}
