using System.Text;
using System.Text.Json;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Data.Sqlite;

namespace Gateway.Bridges.Local;

/// <summary>
/// The SQLite index of one store root (root/.index.db): one row per object, keyed by (bucket, UTF-8 bytes
/// of the key). Keys are BLOBs, so SQLite orders them by memcmp, which is UTF-8 byte order, S3's listing
/// order; nothing is normalised, so keys that differ only in Unicode normalisation stay two rows.
/// The object files stay the truth: the index only answers listings, and <see cref="LocalReindexer"/>
/// rebuilds it from them.
/// </summary>
internal sealed class LocalIndex : IDisposable
{
    public const string FileName = ".index.db";
    private const string SchemaVersion = "1";
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly Lock _writeLock = new();

    public LocalIndex(string root, bool durable)
    {
        Path = System.IO.Path.Combine(root, FileName);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        // WAL: listings read a snapshot while writers commit. synchronous=FULL when the store fsyncs its files, so
        // an intent row is on disk before the rename it announces; NORMAL still survives a process crash.
        Execute($"PRAGMA journal_mode=WAL; PRAGMA synchronous={(durable ? "FULL" : "NORMAL")};");
        Execute("""
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS objects (
                bucket TEXT NOT NULL,
                key BLOB NOT NULL,
                size INTEGER NOT NULL,
                md5 TEXT NOT NULL,
                content_type TEXT NOT NULL,
                metadata TEXT,
                modified INTEGER NOT NULL,
                PRIMARY KEY (bucket, key)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS pending (bucket TEXT NOT NULL, key BLOB NOT NULL, PRIMARY KEY (bucket, key)) WITHOUT ROWID;
            """);
    }

    public string Path { get; }

    /// <summary>True when the index was built for this schema and no rebuild was left half-done.</summary>
    public bool IsReady => ReadMeta("schema") == SchemaVersion && ReadMeta("state") == "ready";

    public void MarkRebuilding()
    {
        lock (_writeLock)
        {
            using var tx = _writer.BeginTransaction();
            WriteMeta("state", "rebuilding", tx);
            Run("DELETE FROM objects; DELETE FROM pending;", tx);
            tx.Commit();
        }
    }

    public void MarkReady()
    {
        lock (_writeLock)
        {
            using var tx = _writer.BeginTransaction();
            WriteMeta("schema", SchemaVersion, tx);
            WriteMeta("state", "ready", tx);
            tx.Commit();
        }
    }

    /// <summary>Write step 1: records that (bucket, key) is about to change on disk, before the file changes.</summary>
    public void AddPending(string bucket, string key)
    {
        lock (_writeLock)
        {
            using var command = _writer.CreateCommand();
            command.CommandText = "INSERT OR IGNORE INTO pending (bucket, key) VALUES ($b, $k)";
            command.Parameters.AddWithValue("$b", bucket);
            command.Parameters.AddWithValue("$k", KeyBytes(key));
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Write step 3: the file changed; one transaction records its new state and clears the intent.</summary>
    public void Settle(string bucket, string key, LocalObjectFile.Trailer? now)
    {
        lock (_writeLock)
        {
            using var tx = _writer.BeginTransaction();
            if (now is null) Delete(bucket, key, tx); else Upsert(bucket, now, tx);
            using var command = _writer.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "DELETE FROM pending WHERE bucket = $b AND key = $k";
            command.Parameters.AddWithValue("$b", bucket);
            command.Parameters.AddWithValue("$k", KeyBytes(key));
            command.ExecuteNonQuery();
            tx.Commit();
        }
    }

    /// <summary>Writes left half-done by a crash: (bucket, key) pairs whose file may or may not have changed.</summary>
    public List<(string Bucket, string Key)> ReadPending()
    {
        var list = new List<(string, string)>();
        using var command = _writer.CreateCommand();
        command.CommandText = "SELECT bucket, key FROM pending";
        using var reader = command.ExecuteReader();
        while (reader.Read()) list.Add((reader.GetString(0), Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(1))));
        return list;
    }

    /// <summary>Distinct bucket names in the index, one seek per bucket (no scan of the objects).</summary>
    public List<string> IndexedBuckets()
    {
        var list = new List<string>();
        using var command = _writer.CreateCommand();
        command.CommandText = "SELECT bucket FROM objects WHERE bucket > $after ORDER BY bucket LIMIT 1";
        var after = command.Parameters.AddWithValue("$after", "");
        while (command.ExecuteScalar() is string bucket)
        {
            list.Add(bucket);
            after.Value = bucket;
        }
        return list;
    }

    public bool HasObjects(string bucket)
    {
        using var command = _writer.CreateCommand();
        lock (_writeLock)
        {
            command.CommandText = "SELECT EXISTS (SELECT 1 FROM objects WHERE bucket = $b)";
            command.Parameters.AddWithValue("$b", bucket);
            return Convert.ToInt64(command.ExecuteScalar()) != 0;
        }
    }

    public void DropBucket(string bucket)
    {
        lock (_writeLock)
        {
            using var tx = _writer.BeginTransaction();
            using var command = _writer.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "DELETE FROM objects WHERE bucket = $b; DELETE FROM pending WHERE bucket = $b";
            command.Parameters.AddWithValue("$b", bucket);
            command.ExecuteNonQuery();
            tx.Commit();
        }
    }

    /// <summary>Adds rows in one transaction (the rebuild's batches).</summary>
    public void AddBatch(string bucket, IReadOnlyList<LocalObjectFile.Trailer> trailers)
    {
        lock (_writeLock)
        {
            using var tx = _writer.BeginTransaction();
            foreach (var trailer in trailers) Upsert(bucket, trailer, tx);
            tx.Commit();
        }
    }

    /// <summary>
    /// One page: rows from <paramref name="from"/> (inclusive or not) up to <paramref name="below"/> (exclusive),
    /// in key order, read lazily. The caller stops reading when its page is full.
    /// </summary>
    public static IEnumerable<IndexRow> Range(SqliteTransaction snapshot, string bucket, byte[] from, bool inclusive, byte[] below, int limit)
    {
        using var command = snapshot.Connection!.CreateCommand();
        command.Transaction = snapshot;
        command.CommandText = $"""
            SELECT key, size, md5, content_type, metadata, modified FROM objects
            WHERE bucket = $b AND key {(inclusive ? ">=" : ">")} $from AND key < $below
            ORDER BY key LIMIT $limit
            """;
        command.Parameters.AddWithValue("$b", bucket);
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$below", below);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new IndexRow(reader.GetFieldValue<byte[]>(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5));
        }
    }

    /// <summary>A pooled read connection; listings read a WAL snapshot without waiting for writers.</summary>
    public SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    public static byte[] KeyBytes(string key) => Encoding.UTF8.GetBytes(key);

    public void Dispose()
    {
        lock (_writeLock)
        {
            _writer.Dispose();
        }
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }

    private void Upsert(string bucket, LocalObjectFile.Trailer t, SqliteTransaction tx)
    {
        using var command = _writer.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """
            INSERT OR REPLACE INTO objects (bucket, key, size, md5, content_type, metadata, modified)
            VALUES ($b, $k, $size, $md5, $type, $meta, $modified)
            """;
        command.Parameters.AddWithValue("$b", bucket);
        command.Parameters.AddWithValue("$k", KeyBytes(t.Key));
        command.Parameters.AddWithValue("$size", t.Size);
        // The md5 column holds the base64 MD5, or for an object without one its quoted ETag (never base64: it starts with '"').
        command.Parameters.AddWithValue("$md5", t.Md5 ?? t.ETag);
        command.Parameters.AddWithValue("$type", t.ContentType);
        command.Parameters.AddWithValue("$meta", t.Metadata.Count == 0
            ? DBNull.Value
            : JsonSerializer.Serialize(t.Metadata, LocalObjectFile.TrailerJson.Default.DictionaryStringString));
        command.Parameters.AddWithValue("$modified", t.LastModified.UtcTicks);
        command.ExecuteNonQuery();
    }

    private void Delete(string bucket, string key, SqliteTransaction tx)
    {
        using var command = _writer.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "DELETE FROM objects WHERE bucket = $b AND key = $k";
        command.Parameters.AddWithValue("$b", bucket);
        command.Parameters.AddWithValue("$k", KeyBytes(key));
        command.ExecuteNonQuery();
    }

    private string? ReadMeta(string name)
    {
        using var command = _writer.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE name = $n";
        command.Parameters.AddWithValue("$n", name);
        return command.ExecuteScalar() as string;
    }

    private void WriteMeta(string name, string value, SqliteTransaction tx)
    {
        using var command = _writer.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT OR REPLACE INTO meta (name, value) VALUES ($n, $v)";
        command.Parameters.AddWithValue("$n", name);
        command.Parameters.AddWithValue("$v", value);
        command.ExecuteNonQuery();
    }

    private void Execute(string sql) => Run(sql, null);

    private void Run(string sql, SqliteTransaction? tx)
    {
        using var command = _writer.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

/// <summary>One object's row in the index; <paramref name="Md5"/> is the md5 column (the MD5, or a quoted ETag where there is none).</summary>
internal readonly record struct IndexRow(byte[] Key, long Size, string Md5, string ContentType, string? Metadata, long ModifiedTicks)
{
    public ObjectInfo ToInfo() => LocalObjectFile.ToInfo(new LocalObjectFile.Trailer(
        Encoding.UTF8.GetString(Key), Size, Md5.StartsWith('"') ? null : Md5, ContentType,
        Metadata is null ? [] : JsonSerializer.Deserialize(Metadata, LocalObjectFile.TrailerJson.Default.DictionaryStringString) ?? [],
        new DateTimeOffset(ModifiedTicks, TimeSpan.Zero), ETag: Md5.StartsWith('"') ? Md5 : null));
}
