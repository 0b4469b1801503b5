using System.Buffers.Binary;
using System.Security.Cryptography;
using Gateway.Channel.Identity;
using Gateway.Channel.Witnesses;
using Microsoft.Data.Sqlite;

namespace Gateway.Channel.Audit;

/// <summary>
/// Hash-chained audit log of verified witnesses in SQLite. Appends are serialised; each entry names the hash of
/// the one before it, so a gap, an edit or a reordering breaks the chain (see <see cref="AuditVerifier"/>).
/// </summary>
public sealed class AuditLog : IWitnessSink, IDisposable
{
    internal static readonly byte[] EntryLabel = "CTP-96 audit v1\0"u8.ToArray();
    private readonly string _connectionString;
    private readonly SemaphoreSlim _appendLock = new(1, 1);
    private readonly SqliteConnection _writer;
    private long _lastSequence;
    private byte[] _lastHash = new byte[32];

    public AuditLog(string databasePath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (directory is not null) Directory.CreateDirectory(directory);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        // WAL + synchronous=NORMAL: an append survives a process crash; a power cut may lose the last appends but never
        // breaks the chain (SQLite stays consistent and the verifier checks what is there).
        Execute(_writer, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        Execute(_writer, """
            CREATE TABLE IF NOT EXISTS audit_entries (
                seq INTEGER PRIMARY KEY,
                request_id TEXT NOT NULL,
                operation TEXT NOT NULL,
                target TEXT NOT NULL,
                status TEXT NOT NULL,
                host_key TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                witness BLOB NOT NULL,
                prev_hash BLOB NOT NULL,
                entry_hash BLOB NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_audit_request ON audit_entries(request_id);
            """);
        using var last = _writer.CreateCommand();
        last.CommandText = "SELECT seq, entry_hash FROM audit_entries ORDER BY seq DESC LIMIT 1";
        using var reader = last.ExecuteReader();
        if (reader.Read())
        {
            _lastSequence = reader.GetInt64(0);
            _lastHash = (byte[])reader[1];
        }
    }

    public string DatabasePath => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    public async ValueTask AppendAsync(Witness witness, CancellationToken ct)
    {
        var encoded = witness.Encode();
        await _appendLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var sequence = _lastSequence + 1;
            var hash = EntryHash(sequence, _lastHash, encoded);
            using var insert = _writer.CreateCommand();
            insert.CommandText = """
                INSERT INTO audit_entries (seq, request_id, operation, target, status, host_key, recorded_at, witness, prev_hash, entry_hash)
                VALUES ($seq, $rid, $op, $target, $status, $host, $at, $witness, $prev, $hash)
                """;
            insert.Parameters.AddWithValue("$seq", sequence);
            insert.Parameters.AddWithValue("$rid", witness.RequestId);
            insert.Parameters.AddWithValue("$op", witness.Operation);
            insert.Parameters.AddWithValue("$target", witness.Target);
            insert.Parameters.AddWithValue("$status", witness.Status);
            insert.Parameters.AddWithValue("$host", "sha256:" + Convert.ToHexStringLower(witness.HostKeyFingerprint));
            insert.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O"));
            insert.Parameters.AddWithValue("$witness", encoded);
            insert.Parameters.AddWithValue("$prev", _lastHash);
            insert.Parameters.AddWithValue("$hash", hash);
            await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            _lastSequence = sequence;
            _lastHash = hash;
        }
        finally { _appendLock.Release(); }
    }

    /// <summary>Entries with sequence above <paramref name="after"/>, oldest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(long after, int limit, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT seq, request_id, operation, target, status, host_key, recorded_at, witness, prev_hash, entry_hash FROM audit_entries WHERE seq > $after ORDER BY seq LIMIT $limit";
        query.Parameters.AddWithValue("$after", after);
        query.Parameters.AddWithValue("$limit", limit);
        return await ReadEntriesAsync(query, ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AuditEntry>> FindByRequestIdAsync(string requestId, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT seq, request_id, operation, target, status, host_key, recorded_at, witness, prev_hash, entry_hash FROM audit_entries WHERE request_id = $rid ORDER BY seq";
        query.Parameters.AddWithValue("$rid", requestId);
        return await ReadEntriesAsync(query, ct).ConfigureAwait(false);
    }

    /// <summary>Verifies the whole chain offline against the given bridge-host keys.</summary>
    public static AuditVerification Verify(string databasePath, IReadOnlyCollection<HybridPublicKey> hostKeys) =>
        AuditVerifier.Verify(databasePath, hostKeys);

    internal static async Task<IReadOnlyList<AuditEntry>> ReadEntriesAsync(SqliteCommand query, CancellationToken ct)
    {
        var list = new List<AuditEntry>();
        await using var reader = await query.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) list.Add(ReadEntry(reader));
        return list;
    }

    internal static AuditEntry ReadEntry(SqliteDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
        DateTimeOffset.Parse(r.GetString(6), System.Globalization.CultureInfo.InvariantCulture),
        (byte[])r[7], (byte[])r[8], (byte[])r[9]);

    internal static byte[] EntryHash(long sequence, ReadOnlySpan<byte> previous, ReadOnlySpan<byte> witness)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(EntryLabel);
        Span<byte> seq = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(seq, sequence);
        hash.AppendData(seq);
        hash.AppendData(previous);
        hash.AppendData(witness);
        return hash.GetHashAndReset();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _writer.Dispose();
        _appendLock.Dispose();
    }
}
