using Microsoft.Data.Sqlite;

namespace Gateway.Migrations;

/// <summary>
/// Per-job totals of the items (what a job's status shows), kept in table <c>job_totals</c> by triggers on <c>items</c>.
/// A trigger runs inside the statement that changes the item, so the totals move in the same transaction as the item
/// states and cannot disagree with them after a crash, whatever code path wrote the item. Reading a job's status is then
/// one row, not a scan of its items.
/// </summary>
public sealed partial class MigrationDatabase
{
    /// <summary>
    /// PRAGMA user_version of migrations.db: 0 before job_totals existed, 1 with it, 2 with each item's
    /// <c>source_deleted</c> (a move's source deletions) and its total, 3 with the total of objects left newer at the target,
    /// 4 with the total of objects gone from the source after the listing.
    /// </summary>
    private const long SchemaVersion = 4;

    // What one item row adds to its job's totals; the same rules as RecountSql.
    private static readonly (string Column, string Expression)[] Contribution =
    [
        ("planned_objects", "CASE WHEN {0}.action <> 'delete' THEN 1 ELSE 0 END"),
        ("planned_bytes", "CASE WHEN {0}.action <> 'delete' THEN {0}.size ELSE 0 END"),
        ("done_objects", "CASE WHEN {0}.state = 'done' AND {0}.action = 'copy' THEN 1 ELSE 0 END"),
        ("done_bytes", "CASE WHEN {0}.state = 'done' AND {0}.action = 'copy' THEN {0}.size ELSE 0 END"),
        ("skipped_objects", "CASE WHEN {0}.state = 'skipped' THEN 1 ELSE 0 END"),
        ("skipped_bytes", "CASE WHEN {0}.state = 'skipped' THEN {0}.size ELSE 0 END"),
        ("failed_objects", "CASE WHEN {0}.state = 'failed' THEN 1 ELSE 0 END"),
        ("failed_bytes", "CASE WHEN {0}.state = 'failed' THEN {0}.size ELSE 0 END"),
        ("deleted", "CASE WHEN {0}.state = 'done' AND {0}.action = 'delete' THEN 1 ELSE 0 END"),
        ("deleted_at_source", "{0}.source_deleted"),
        ("newer_at_target", "CASE WHEN {0}.action = 'newer-at-target' THEN 1 ELSE 0 END"),
        ("gone_at_source", "CASE WHEN {0}.action = 'gone-at-source' THEN 1 ELSE 0 END"),
    ];

    private const string RecountSql = """
        SELECT job,
          COUNT(*) FILTER (WHERE action <> 'delete'), COALESCE(SUM(size) FILTER (WHERE action <> 'delete'), 0),
          COUNT(*) FILTER (WHERE state = 'done' AND action = 'copy'), COALESCE(SUM(size) FILTER (WHERE state = 'done' AND action = 'copy'), 0),
          COUNT(*) FILTER (WHERE state = 'skipped'), COALESCE(SUM(size) FILTER (WHERE state = 'skipped'), 0),
          COUNT(*) FILTER (WHERE state = 'failed'), COALESCE(SUM(size) FILTER (WHERE state = 'failed'), 0),
          COUNT(*) FILTER (WHERE state = 'done' AND action = 'delete'),
          COALESCE(SUM(source_deleted), 0),
          COUNT(*) FILTER (WHERE action = 'newer-at-target'),
          COUNT(*) FILTER (WHERE action = 'gone-at-source')
        FROM items
        """;

    // Not INSERT OR IGNORE: a trigger's conflict clause gives way to that of the statement that fired it (an upsert aborts).
    private const string EnsureRow = "INSERT INTO job_totals (job) SELECT NEW.job WHERE NOT EXISTS (SELECT 1 FROM job_totals WHERE job = NEW.job);";

    private static string TotalsColumns => string.Join(", ", Contribution.Select(c => c.Column));

    /// <summary>The statement a trigger runs to add (<paramref name="sign"/> '+') or take away ('-') one item row.</summary>
    private static string Apply(string row, char sign) =>
        $"UPDATE job_totals SET {string.Join(", ", Contribution.Select(c => $"{c.Column} = {c.Column} {sign} {string.Format(System.Globalization.CultureInfo.InvariantCulture, c.Expression, row)}"))} WHERE job = {row}.job;";

    /// <summary>Brings an older migrations.db up to <see cref="SchemaVersion"/> in one transaction (immediate: one upgrader at a time).</summary>
    private void UpgradeSchema()
    {
        using var tx = _db.BeginTransaction();
        long version;
        using (var read = Command("PRAGMA user_version"))
        {
            read.Transaction = tx;
            version = (long)read.ExecuteScalar()!;
        }
        if (version >= SchemaVersion) return;
        var steps = new List<string>();
        if (!HasColumn(tx, "items", "source_deleted"))
        {
            steps.Add("ALTER TABLE items ADD COLUMN source_deleted INTEGER NOT NULL DEFAULT 0");
            // Jobs written before the column: a move deleted the source of every object it copied or found identical.
            steps.Add($"""
                UPDATE items SET source_deleted = 1 WHERE ((state = 'done' AND action = 'copy') OR (state = 'skipped' AND action = 'identical'))
                  AND job IN (SELECT id FROM jobs WHERE json_extract(spec, '$.mode') = {(int)MigrationMode.Move} AND NOT json_extract(spec, '$.dryRun'))
                """);
        }
        steps.Add($"CREATE TABLE IF NOT EXISTS job_totals (job TEXT NOT NULL PRIMARY KEY, {string.Join(", ", Contribution.Select(c => c.Column + " INTEGER NOT NULL DEFAULT 0"))}) WITHOUT ROWID");
        steps.AddRange(["DROP TRIGGER IF EXISTS items_totals_insert", "DROP TRIGGER IF EXISTS items_totals_update", "DROP TRIGGER IF EXISTS items_totals_delete"]);
        foreach (var step in steps) Run(step);
        foreach (var (column, _) in Contribution)
        {
            if (!HasColumn(tx, "job_totals", column)) Run($"ALTER TABLE job_totals ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0");
        }
        foreach (var sql in new[]
        {
            $"CREATE TRIGGER items_totals_insert AFTER INSERT ON items BEGIN {EnsureRow} {Apply("NEW", '+')} END",
            $"CREATE TRIGGER items_totals_update AFTER UPDATE OF job, state, action, size, source_deleted ON items BEGIN {Apply("OLD", '-')} {EnsureRow} {Apply("NEW", '+')} END",
            $"CREATE TRIGGER items_totals_delete AFTER DELETE ON items BEGIN {Apply("OLD", '-')} END",
            // Every job counted once from its items under the new rules.
            $"INSERT OR REPLACE INTO job_totals (job, {TotalsColumns}) {RecountSql} GROUP BY job",
            $"PRAGMA user_version = {SchemaVersion}",
        })
        {
            Run(sql);
        }
        tx.Commit();

        void Run(string sql)
        {
            using var cmd = Command(sql);
            cmd.Transaction = tx;
            cmd.ExecuteNonQuery();
        }
    }

    private bool HasColumn(SqliteTransaction tx, string table, string column)
    {
        using var cmd = Command("SELECT COUNT(*) FROM pragma_table_info($t) WHERE name = $c", ("$t", table), ("$c", column));
        cmd.Transaction = tx;
        return (long)cmd.ExecuteScalar()! > 0;
    }

    /// <summary>The job's totals as kept (one row read); zeros for a job with no items yet.</summary>
    public JobTotals Totals(string job)
    {
        lock (_lock)
        {
            using var cmd = Command($"SELECT {TotalsColumns} FROM job_totals WHERE job = $j", ("$j", job));
            using var r = cmd.ExecuteReader();
            return r.Read() ? ReadTotals(r, 0) : new JobTotals(new(0, 0, 0, 0), new(0, 0, 0, 0), 0);
        }
    }

    /// <summary>The job's totals counted afresh from its items (a scan): what <see cref="Totals"/> must always equal.</summary>
    public JobTotals RecountTotals(string job)
    {
        lock (_lock)
        {
            using var cmd = Command(RecountSql + " WHERE job = $j", ("$j", job));
            using var r = cmd.ExecuteReader();
            r.Read();
            return ReadTotals(r, 1);
        }
    }

    private static JobTotals ReadTotals(SqliteDataReader r, int first) => new(
        new MigrationCounters(r.GetInt64(first), r.GetInt64(first + 2), r.GetInt64(first + 4), r.GetInt64(first + 6)),
        new MigrationCounters(r.GetInt64(first + 1), r.GetInt64(first + 3), r.GetInt64(first + 5), r.GetInt64(first + 7)),
        r.GetInt64(first + 8), r.GetInt64(first + 9), r.GetInt64(first + 10), r.GetInt64(first + 11));
}
