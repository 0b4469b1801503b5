namespace Gateway.Migrations;

/// <summary>
/// The ETag of the last copy a job wrote at each target key of a fronted pair (see <see cref="FrontedCopies"/>): a target
/// object that still holds it is a job's copy, not a service's write, whatever second it was written in.
/// </summary>
public sealed partial class MigrationDatabase
{
    private void CreateFrontedCopiesTable() => Execute("""
        CREATE TABLE IF NOT EXISTS fronted_copies (
          to_store TEXT NOT NULL COLLATE NOCASE, bucket TEXT NOT NULL, key TEXT NOT NULL, etag TEXT NOT NULL,
          PRIMARY KEY (to_store, bucket, key)) WITHOUT ROWID;
        """);

    public void RecordFrontedCopy(string toStore, string bucket, string key, string etag) =>
        Write("INSERT INTO fronted_copies (to_store, bucket, key, etag) VALUES ($s, $b, $k, $e) ON CONFLICT (to_store, bucket, key) DO UPDATE SET etag = $e",
            ("$s", toStore), ("$b", bucket), ("$k", key), ("$e", etag));

    public string? FrontedCopyETag(string toStore, string bucket, string key)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT etag FROM fronted_copies WHERE to_store = $s AND bucket = $b AND key = $k", ("$s", toStore), ("$b", bucket), ("$k", key));
            return cmd.ExecuteScalar() as string;
        }
    }
}
