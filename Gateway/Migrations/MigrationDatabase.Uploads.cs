using Microsoft.Data.Sqlite;

namespace Gateway.Migrations;

/// <summary>A large object's multipart upload as the job left it: the target's upload id and the parts it sent.</summary>
/// <param name="SourceETag">The source version the parts were read from: parts of another version are never reused.</param>
/// <param name="CompletedETag">Set once the upload was completed (the object exists at the target with this ETag) and not yet verified.</param>
public sealed record UploadRow(string Key, string UploadId, string SourceETag, long PartSize, string? CompletedETag, IReadOnlyList<PartRow> Parts);

/// <summary>One part the target confirmed: its number, the identity the target gave it, size, and the SHA-256 and MD5 of the bytes read for it.</summary>
public sealed record PartRow(int Number, string ETag, long Size, string Sha256, string Md5);

/// <summary>
/// Part-level resume of large objects: each multipart upload a job runs is recorded when it starts and each part as the
/// target confirms it, so a restarted job lists the target's parts and sends only those missing. The rows go when the
/// object's item is finished (<see cref="FinishItem"/>, same transaction).
/// </summary>
public sealed partial class MigrationDatabase
{
    private void CreateUploadTables() => Execute("""
        CREATE TABLE IF NOT EXISTS uploads (
          job TEXT NOT NULL, key TEXT NOT NULL, upload_id TEXT NOT NULL, source_etag TEXT NOT NULL, part_size INTEGER NOT NULL,
          completed_etag TEXT, PRIMARY KEY (job, key)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS upload_parts (
          job TEXT NOT NULL, key TEXT NOT NULL, part INTEGER NOT NULL, etag TEXT NOT NULL, size INTEGER NOT NULL,
          sha256 TEXT NOT NULL, md5 TEXT NOT NULL, PRIMARY KEY (job, key, part)) WITHOUT ROWID;
        """);

    public UploadRow? GetUpload(string job, string key)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT upload_id, source_etag, part_size, completed_etag FROM uploads WHERE job = $j AND key = $k", ("$j", job), ("$k", key));
            using var r = cmd.ExecuteReader();
            if (!r.Read()) return null;
            var (id, etag, partSize, completed) = (r.GetString(0), r.GetString(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3));
            return new UploadRow(key, id, etag, partSize, completed, Parts(job, key));
        }
    }

    /// <summary>The uploads a job has open (to abort them when it is cancelled).</summary>
    public IReadOnlyList<UploadRow> Uploads(string job)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT key, upload_id, source_etag, part_size, completed_etag FROM uploads WHERE job = $j ORDER BY key", ("$j", job));
            using var r = cmd.ExecuteReader();
            var rows = new List<UploadRow>();
            while (r.Read()) rows.Add(new UploadRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetString(4), []));
            return rows;
        }
    }

    /// <summary>Records a new upload for the object, replacing any earlier one and its parts.</summary>
    public void BeginUpload(string job, string key, string uploadId, string sourceETag, long partSize)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            DropUpload(job, key, tx);
            using var cmd = Command("INSERT INTO uploads (job, key, upload_id, source_etag, part_size) VALUES ($j, $k, $u, $e, $p)",
                ("$j", job), ("$k", key), ("$u", uploadId), ("$e", sourceETag), ("$p", partSize));
            cmd.Transaction = tx;
            cmd.ExecuteNonQuery();
            tx.Commit();
        }
    }

    public void RecordPart(string job, string key, PartRow part) =>
        Write("INSERT OR REPLACE INTO upload_parts (job, key, part, etag, size, sha256, md5) VALUES ($j, $k, $n, $e, $s, $sha, $md5)",
            ("$j", job), ("$k", key), ("$n", part.Number), ("$e", part.ETag), ("$s", part.Size), ("$sha", part.Sha256), ("$md5", part.Md5));

    public void SetUploadCompleted(string job, string key, string etag) =>
        Write("UPDATE uploads SET completed_etag = $e WHERE job = $j AND key = $k", ("$j", job), ("$k", key), ("$e", etag));

    public void DropUpload(string job, string key)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            DropUpload(job, key, tx);
            tx.Commit();
        }
    }

    private void DropUpload(string job, string key, SqliteTransaction tx)
    {
        foreach (var sql in new[] { "DELETE FROM upload_parts WHERE job = $j AND key = $k", "DELETE FROM uploads WHERE job = $j AND key = $k" })
        {
            using var cmd = Command(sql, ("$j", job), ("$k", key));
            cmd.Transaction = tx;
            cmd.ExecuteNonQuery();
        }
    }

    private List<PartRow> Parts(string job, string key)
    {
        using var cmd = Command("SELECT part, etag, size, sha256, md5 FROM upload_parts WHERE job = $j AND key = $k ORDER BY part", ("$j", job), ("$k", key));
        using var r = cmd.ExecuteReader();
        var parts = new List<PartRow>();
        while (r.Read()) parts.Add(new PartRow(r.GetInt32(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4)));
        return parts;
    }
}
