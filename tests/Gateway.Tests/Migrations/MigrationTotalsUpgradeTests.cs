using Gateway.Migrations;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Gateway.Tests.Migrations;

/// <summary>
/// A migrations.db written before per-job totals were kept (no job_totals, user_version 0): opening it counts each job's
/// totals once from its items, and from then on every item change moves them.
/// </summary>
public sealed class MigrationTotalsUpgradeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("migration-totals-").FullName;
    private string DbPath => Path.Combine(_dir, "migrations.db");

    [Fact]
    public void An_old_database_gets_its_totals_counted_from_the_items_once_and_kept_from_then_on()
    {
        var items = new (string Job, string Key, string State, string Action, long Size)[]
        {
            ("mig_a", "copied", "done", "copy", 100), ("mig_a", "same", "skipped", "identical", 40), ("mig_a", "broken", "failed", "copy", 7),
            ("mig_a", "waiting", "planned", "copy", 9), ("mig_a", MigrationDatabase.DeleteMarker + "stale", "done", "delete", 3),
            ("mig_b", "other", "done", "copy", 1000),
        };
        WriteOldSchemaDatabase(items);

        using (var db = new MigrationDatabase(DbPath))
        {
            Assert.Equal(new JobTotals(new MigrationCounters(4, 1, 1, 1), new MigrationCounters(156, 100, 40, 7), 1), db.Totals("mig_a"));
            Assert.Equal(new JobTotals(new MigrationCounters(1, 1, 0, 0), new MigrationCounters(1000, 1000, 0, 0), 0), db.Totals("mig_b"));
            Assert.Equal(new JobTotals(new MigrationCounters(0, 0, 0, 0), new MigrationCounters(0, 0, 0, 0), 0), db.Totals("mig_none"));

            // The failed object is redone, the planned one skipped, a new one planned: the kept totals follow.
            db.FinishItem("mig_a", "broken", MigrationItemStates.Done, MigrationItemStates.Copy, 7, null, null);
            db.FinishItem("mig_a", "waiting", MigrationItemStates.Skipped, MigrationItemStates.Identical, 9, null, null);
            Assert.True(db.PlanItem("mig_a", "new", 5, MigrationItemStates.Copy));
            Assert.False(db.PlanItem("mig_a", "new", 5, MigrationItemStates.Copy));
            Assert.Equal(new JobTotals(new MigrationCounters(5, 2, 2, 0), new MigrationCounters(161, 107, 49, 0), 1), db.Totals("mig_a"));
            Assert.Equal(db.RecountTotals("mig_a"), db.Totals("mig_a"));
        }

        // Opening it again does not count the items a second time.
        using (var again = new MigrationDatabase(DbPath))
        {
            Assert.Equal(again.RecountTotals("mig_a"), again.Totals("mig_a"));
            Assert.Equal(again.RecountTotals("mig_b"), again.Totals("mig_b"));
        }
    }

    [Fact]
    public void An_old_move_job_gets_its_source_deletions_counted_and_a_copy_job_none()
    {
        var items = new (string Job, string Key, string State, string Action, long Size)[]
        {
            ("mig_move", "copied", "done", "copy", 10), ("mig_move", "same", "skipped", "identical", 20), ("mig_move", "newer", "skipped", "newer-at-target", 30),
            ("mig_move", "broken", "failed", "copy", 40), ("mig_copy", "copied", "done", "copy", 50), ("mig_dry", "same", "skipped", "identical", 60),
        };
        WriteOldSchemaDatabase(items);
        using (var raw = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString()))
        {
            raw.Open();
            using var jobs = raw.CreateCommand();
            // Specs as the gateway wrote them (mode as a number: copy 0, move 2).
            jobs.CommandText = """
                INSERT INTO jobs (id, spec, state, created) VALUES
                  ('mig_move', '{"mode":2,"dryRun":false}', 'failed', 0),
                  ('mig_copy', '{"mode":0,"dryRun":false}', 'completed', 0),
                  ('mig_dry', '{"mode":2,"dryRun":true}', 'completed', 0)
                """;
            jobs.ExecuteNonQuery();
        }

        using var db = new MigrationDatabase(DbPath);

        Assert.Equal(2, db.Totals("mig_move").DeletedAtSource);
        Assert.Equal(1, db.Totals("mig_move").NewerAtTarget);
        Assert.Equal(0, db.Totals("mig_copy").DeletedAtSource);
        Assert.Equal(0, db.Totals("mig_dry").DeletedAtSource);
        Assert.Equal(new[] { "copied", "same" }, db.Items("mig_move", null, null, 10).Where(i => i.Item.SourceDeleted).Select(i => i.Item.Key));
        // The failed object is moved by a resumed run: its source deletion is counted with it.
        db.FinishItem("mig_move", "broken", MigrationItemStates.Done, MigrationItemStates.Copy, 40, null, null, sourceDeleted: true);
        Assert.Equal(3, db.Totals("mig_move").DeletedAtSource);
        Assert.Equal(db.RecountTotals("mig_move"), db.Totals("mig_move"));
    }

    [Fact]
    public void A_version_2_database_gets_its_objects_newer_at_the_target_counted_once_and_kept_from_then_on()
    {
        using (var db = new MigrationDatabase(DbPath))
        {
            db.FinishItem("mig_live", "copied", MigrationItemStates.Done, MigrationItemStates.Copy, 10, null, null);
            db.FinishItem("mig_live", "theirs", MigrationItemStates.Skipped, MigrationItemStates.NewerAtTarget, 20, null, null);
            db.FinishItem("mig_live", MigrationDatabase.DeleteMarker + "their-own", MigrationItemStates.Skipped, MigrationItemStates.NewerAtTarget, 30, null, null);
        }
        // As version 2 left it: job_totals without the column (the triggers are made anew by every upgrade).
        using (var raw = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString()))
        {
            raw.Open();
            using var downgrade = raw.CreateCommand();
            downgrade.CommandText = """
                DROP TRIGGER items_totals_insert; DROP TRIGGER items_totals_update; DROP TRIGGER items_totals_delete;
                ALTER TABLE job_totals DROP COLUMN newer_at_target; PRAGMA user_version = 2;
                """;
            downgrade.ExecuteNonQuery();
        }

        using var upgraded = new MigrationDatabase(DbPath);

        Assert.Equal(new JobTotals(new MigrationCounters(3, 1, 2, 0), new MigrationCounters(60, 10, 50, 0), 0, 0, 2), upgraded.Totals("mig_live"));
        // From then on the kept count moves with the items.
        upgraded.FinishItem("mig_live", "theirs", MigrationItemStates.Done, MigrationItemStates.Copy, 20, null, null);
        Assert.Equal(1, upgraded.Totals("mig_live").NewerAtTarget);
        Assert.Equal(upgraded.RecountTotals("mig_live"), upgraded.Totals("mig_live"));
    }

    [Fact]
    public void A_version_3_database_gets_its_objects_gone_at_the_source_counted_once_and_kept_from_then_on()
    {
        using (var db = new MigrationDatabase(DbPath))
        {
            db.FinishItem("mig_gone", "copied", MigrationItemStates.Done, MigrationItemStates.Copy, 10, null, null);
            db.FinishItem("mig_gone", "vanished", MigrationItemStates.Skipped, MigrationItemStates.GoneAtSource, 20, null, null);
            db.FinishItem("mig_gone", "deleted-too", MigrationItemStates.Skipped, MigrationItemStates.GoneAtSource, 30, null, null);
        }
        using (var raw = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString()))
        {
            raw.Open();
            using var downgrade = raw.CreateCommand();
            downgrade.CommandText = """
                DROP TRIGGER items_totals_insert; DROP TRIGGER items_totals_update; DROP TRIGGER items_totals_delete;
                ALTER TABLE job_totals DROP COLUMN gone_at_source; PRAGMA user_version = 3;
                """;
            downgrade.ExecuteNonQuery();
        }

        using var upgraded = new MigrationDatabase(DbPath);

        Assert.Equal(new JobTotals(new MigrationCounters(3, 1, 2, 0), new MigrationCounters(60, 10, 50, 0), 0, 0, 0, 2), upgraded.Totals("mig_gone"));
        // A resumed run finds one of them at the source again (written anew) and moves it.
        upgraded.FinishItem("mig_gone", "vanished", MigrationItemStates.Done, MigrationItemStates.Copy, 20, null, null);
        Assert.Equal(1, upgraded.Totals("mig_gone").GoneAtSource);
        Assert.Equal(upgraded.RecountTotals("mig_gone"), upgraded.Totals("mig_gone"));
    }

    /// <summary>The jobs and items tables as migrations.db held them before job_totals (version 0).</summary>
    private void WriteOldSchemaDatabase(IEnumerable<(string Job, string Key, string State, string Action, long Size)> items)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        db.Open();
        using (var create = db.CreateCommand())
        {
            create.CommandText = """
                CREATE TABLE jobs (
                  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, spec TEXT NOT NULL, state TEXT NOT NULL,
                  cursor TEXT, listing_done INTEGER NOT NULL DEFAULT 0, deleting_done INTEGER NOT NULL DEFAULT 0,
                  created INTEGER NOT NULL, started INTEGER, finished INTEGER, running_ms INTEGER NOT NULL DEFAULT 0, last_error TEXT);
                CREATE TABLE items (
                  job TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, action TEXT NOT NULL, size INTEGER NOT NULL,
                  sha256 TEXT, error TEXT, PRIMARY KEY (job, key)) WITHOUT ROWID;
                """;
            create.ExecuteNonQuery();
        }
        foreach (var (job, key, state, action, size) in items)
        {
            using var insert = db.CreateCommand();
            insert.CommandText = "INSERT INTO items (job, key, state, action, size) VALUES ($j, $k, $s, $a, $size)";
            insert.Parameters.AddWithValue("$j", job);
            insert.Parameters.AddWithValue("$k", key);
            insert.Parameters.AddWithValue("$s", state);
            insert.Parameters.AddWithValue("$a", action);
            insert.Parameters.AddWithValue("$size", size);
            insert.ExecuteNonQuery();
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
