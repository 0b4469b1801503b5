namespace Gateway.Migrations;

/// <summary>
/// The last copy a job wrote at each target key of a fronted pair (see <see cref="FrontedCopies"/>): its ETag and the
/// time the target stated for it, in Unix milliseconds.
/// </summary>
public sealed partial class MigrationDatabase
{
    // fronted_moves: the objects moves left at those keys (their sources deleted by the move), the same columns.
    private void CreateFrontedCopiesTable() => Execute("""
        CREATE TABLE IF NOT EXISTS fronted_copies (
          to_store TEXT NOT NULL COLLATE NOCASE, bucket TEXT NOT NULL, key TEXT NOT NULL, etag TEXT NOT NULL, modified INTEGER NOT NULL,
          PRIMARY KEY (to_store, bucket, key)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS fronted_moves (
          to_store TEXT NOT NULL COLLATE NOCASE, bucket TEXT NOT NULL, key TEXT NOT NULL, etag TEXT NOT NULL, modified INTEGER NOT NULL,
          PRIMARY KEY (to_store, bucket, key)) WITHOUT ROWID;
        """);

    public void RecordFrontedCopy(string toStore, string bucket, string key, string etag, DateTimeOffset modified) => Record("fronted_copies", toStore, bucket, key, etag, modified);

    public void ForgetFrontedCopy(string toStore, string bucket, string key) => Forget("fronted_copies", toStore, bucket, key);

    public (string ETag, DateTimeOffset Modified)? FrontedCopy(string toStore, string bucket, string key) => Find("fronted_copies", toStore, bucket, key);

    public void RecordFrontedMove(string toStore, string bucket, string key, string etag, DateTimeOffset modified) => Record("fronted_moves", toStore, bucket, key, etag, modified);

    public void ForgetFrontedMove(string toStore, string bucket, string key) => Forget("fronted_moves", toStore, bucket, key);

    public (string ETag, DateTimeOffset Modified)? FrontedMove(string toStore, string bucket, string key) => Find("fronted_moves", toStore, bucket, key);

    private void Record(string table, string toStore, string bucket, string key, string etag, DateTimeOffset modified) =>
        Write($"INSERT INTO {table} (to_store, bucket, key, etag, modified) VALUES ($s, $b, $k, $e, $m) ON CONFLICT (to_store, bucket, key) DO UPDATE SET etag = $e, modified = $m",
            ("$s", toStore), ("$b", bucket), ("$k", key), ("$e", etag), ("$m", modified.ToUnixTimeMilliseconds()));

    private void Forget(string table, string toStore, string bucket, string key) =>
        Write($"DELETE FROM {table} WHERE to_store = $s AND bucket = $b AND key = $k", ("$s", toStore), ("$b", bucket), ("$k", key));

    private (string ETag, DateTimeOffset Modified)? Find(string table, string toStore, string bucket, string key)
    {
        lock (_lock)
        {
            using var cmd = Command($"SELECT etag, modified FROM {table} WHERE to_store = $s AND bucket = $b AND key = $k", ("$s", toStore), ("$b", bucket), ("$k", key));
            using var r = cmd.ExecuteReader();
            return r.Read() ? (r.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1))) : null;
        }
    }
}
