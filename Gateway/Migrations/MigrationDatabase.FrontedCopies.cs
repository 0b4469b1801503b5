namespace Gateway.Migrations;

/// <summary>
/// The last copy a job wrote at each target key of a fronted pair (see <see cref="FrontedCopies"/>): its ETag and the
/// time the target stated for it, in Unix milliseconds.
/// </summary>
public sealed partial class MigrationDatabase
{
    // fronted_moves: the objects moves left at those keys (their sources deleted by the move), and the job that moved each.
    private void CreateFrontedCopiesTable() => Execute("""
        CREATE TABLE IF NOT EXISTS fronted_copies (
          to_store TEXT NOT NULL COLLATE NOCASE, bucket TEXT NOT NULL, key TEXT NOT NULL, etag TEXT NOT NULL, modified INTEGER NOT NULL,
          PRIMARY KEY (to_store, bucket, key)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS fronted_moves (
          to_store TEXT NOT NULL COLLATE NOCASE, bucket TEXT NOT NULL, key TEXT NOT NULL, etag TEXT NOT NULL, job TEXT NOT NULL,
          PRIMARY KEY (to_store, bucket, key)) WITHOUT ROWID;
        """);

    public void RecordFrontedCopy(string toStore, string bucket, string key, string etag, DateTimeOffset modified) =>
        Write("INSERT INTO fronted_copies (to_store, bucket, key, etag, modified) VALUES ($s, $b, $k, $e, $m) ON CONFLICT (to_store, bucket, key) DO UPDATE SET etag = $e, modified = $m",
            ("$s", toStore), ("$b", bucket), ("$k", key), ("$e", etag), ("$m", modified.ToUnixTimeMilliseconds()));

    public void ForgetFrontedCopy(string toStore, string bucket, string key) =>
        Write("DELETE FROM fronted_copies WHERE to_store = $s AND bucket = $b AND key = $k", ("$s", toStore), ("$b", bucket), ("$k", key));

    public (string ETag, DateTimeOffset Modified)? FrontedCopy(string toStore, string bucket, string key)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT etag, modified FROM fronted_copies WHERE to_store = $s AND bucket = $b AND key = $k", ("$s", toStore), ("$b", bucket), ("$k", key));
            using var r = cmd.ExecuteReader();
            return r.Read() ? (r.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1))) : null;
        }
    }

    /// <summary>Records a move; a record of the same object by another job stays that job's (two moves of one object at once).</summary>
    public void RecordFrontedMove(string toStore, string bucket, string key, string etag, string job) =>
        Write("INSERT INTO fronted_moves (to_store, bucket, key, etag, job) VALUES ($s, $b, $k, $e, $j) ON CONFLICT (to_store, bucket, key) DO UPDATE SET etag = $e, job = $j WHERE fronted_moves.etag <> $e",
            ("$s", toStore), ("$b", bucket), ("$k", key), ("$e", etag), ("$j", job));

    /// <summary>Forgets the move <paramref name="job"/> recorded at the key (another job's record stays).</summary>
    public void ForgetFrontedMove(string toStore, string bucket, string key, string job) =>
        Write("DELETE FROM fronted_moves WHERE to_store = $s AND bucket = $b AND key = $k AND job = $j", ("$s", toStore), ("$b", bucket), ("$k", key), ("$j", job));

    public (string ETag, string Job)? FrontedMove(string toStore, string bucket, string key)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT etag, job FROM fronted_moves WHERE to_store = $s AND bucket = $b AND key = $k", ("$s", toStore), ("$b", bucket), ("$k", key));
            using var r = cmd.ExecuteReader();
            return r.Read() ? (r.GetString(0), r.GetString(1)) : null;
        }
    }

}
