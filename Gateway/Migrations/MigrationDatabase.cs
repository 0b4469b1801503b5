using System.Text.Json;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Data.Sqlite;

namespace Gateway.Migrations;

/// <summary>
/// Migration jobs and their per-object report in SQLite ({DataDirectory}/migrations.db). What a restart
/// needs to resume lives here: the spec, the listing cursor (token of the next page to list) and each
/// object's state, and each job's totals (MigrationDatabase.Totals.cs). Writes go through one connection under a lock; WAL keeps readers off the writer's way.
/// </summary>
public sealed partial class MigrationDatabase : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SqliteConnection _db;
    private readonly Lock _lock = new();

    public MigrationDatabase(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        _db.Open();
        // NORMAL in WAL mode: a commit survives the process being killed (what resuming needs); a power cut may lose
        // the last item states, and those objects are then simply checked and moved again.
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;");
        Execute("""
            CREATE TABLE IF NOT EXISTS jobs (
              seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, spec TEXT NOT NULL, state TEXT NOT NULL,
              cursor TEXT, listing_done INTEGER NOT NULL DEFAULT 0, deleting_done INTEGER NOT NULL DEFAULT 0,
              created INTEGER NOT NULL, started INTEGER, finished INTEGER, running_ms INTEGER NOT NULL DEFAULT 0, last_error TEXT);
            CREATE TABLE IF NOT EXISTS items (
              job TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, action TEXT NOT NULL, size INTEGER NOT NULL,
              sha256 TEXT, error TEXT, PRIMARY KEY (job, key)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS items_by_state ON items (job, state, key);
            CREATE TABLE IF NOT EXISTS cutovers (
              store TEXT NOT NULL PRIMARY KEY COLLATE NOCASE, from_store TEXT NOT NULL, to_store TEXT NOT NULL, job TEXT NOT NULL, at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS fronted_pairs (
              from_store TEXT NOT NULL COLLATE NOCASE, to_store TEXT NOT NULL COLLATE NOCASE, since INTEGER NOT NULL, PRIMARY KEY (from_store, to_store));
            """);
        CreateUploadTables();
        CreateFrontedCopiesTable();
        UpgradeSchema();
    }

    public void CreateJob(string id, MigrationSpec spec, DateTimeOffset now) =>
        Write("INSERT INTO jobs (id, spec, state, created) VALUES ($id, $spec, $state, $now)",
            ("$id", id), ("$spec", JsonSerializer.Serialize(spec, Json)), ("$state", MigrationStates.Queued), ("$now", now.ToUnixTimeMilliseconds()));

    public JobRow? GetJob(string id)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT seq, id, spec, state, cursor, listing_done, deleting_done, created, started, finished, running_ms, last_error FROM jobs WHERE id = $id", ("$id", id));
            using var r = cmd.ExecuteReader();
            return r.Read() ? ReadJob(r) : null;
        }
    }

    /// <summary>Jobs newest first; <paramref name="beforeSeq"/> continues a previous page.</summary>
    public IReadOnlyList<JobRow> ListJobs(long? beforeSeq, int limit)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT seq, id, spec, state, cursor, listing_done, deleting_done, created, started, finished, running_ms, last_error FROM jobs WHERE seq < $before ORDER BY seq DESC LIMIT $limit",
                ("$before", beforeSeq ?? long.MaxValue), ("$limit", limit));
            using var r = cmd.ExecuteReader();
            var jobs = new List<JobRow>();
            while (r.Read()) jobs.Add(ReadJob(r));
            return jobs;
        }
    }

    public IReadOnlyList<string> JobsInState(params string[] states)
    {
        lock (_lock)
        {
            using var cmd = Command($"SELECT id FROM jobs WHERE state IN ({string.Join(",", states.Select((_, i) => "$s" + i))}) ORDER BY seq",
                states.Select((s, i) => ("$s" + i, (object?)s)).ToArray());
            using var r = cmd.ExecuteReader();
            var ids = new List<string>();
            while (r.Read()) ids.Add(r.GetString(0));
            return ids;
        }
    }

    /// <summary>Sets the state; with <paramref name="onlyFrom"/>, only if the job is still in that state (false otherwise).</summary>
    public bool SetState(string id, string state, DateTimeOffset now, string? lastError = null, string? onlyFrom = null)
    {
        var terminal = MigrationStates.IsTerminal(state);
        return WriteCount($"UPDATE jobs SET state = $state, last_error = COALESCE($error, last_error), started = CASE WHEN $state = 'running' AND started IS NULL THEN $now ELSE started END{(terminal ? ", finished = $now" : "")} WHERE id = $id AND ($from IS NULL OR state = $from)",
            ("$id", id), ("$state", state), ("$now", now.ToUnixTimeMilliseconds()), ("$error", lastError), ("$from", onlyFrom)) > 0;
    }

    public void AddRunningTime(string id, TimeSpan elapsed) =>
        Write("UPDATE jobs SET running_ms = running_ms + $ms WHERE id = $id", ("$id", id), ("$ms", (long)elapsed.TotalMilliseconds));

    public void SetLastError(string id, string error) => Write("UPDATE jobs SET last_error = $e WHERE id = $id", ("$id", id), ("$e", error));

    /// <summary>The token of the next page to list; <paramref name="done"/> once the listing has ended.</summary>
    public void SetCursor(string id, string? cursor, bool done) =>
        Write("UPDATE jobs SET cursor = $c, listing_done = $d WHERE id = $id", ("$id", id), ("$c", cursor), ("$d", done ? 1 : 0));

    public void SetDeletingDone(string id) => Write("UPDATE jobs SET deleting_done = 1 WHERE id = $id", ("$id", id));

    /// <summary>Records a planned object unless the job already knows it (a resumed listing sees it again).</summary>
    public bool PlanItem(string job, string key, long size, string action) =>
        WriteCount("INSERT OR IGNORE INTO items (job, key, state, action, size) VALUES ($j, $k, $s, $a, $size)",
            ("$j", job), ("$k", key), ("$s", MigrationItemStates.Planned), ("$a", action), ("$size", size)) > 0;

    /// <summary>
    /// Records a listed page's objects (those the job does not know yet) in one transaction and returns the ones still
    /// to move: new, planned before a restart, or failed. The states the job already holds for the page are read with one
    /// query, so a page costs one SELECT plus an INSERT per object the job has not seen.
    /// </summary>
    public IReadOnlyList<T> PlanPage<T>(string job, IReadOnlyList<T> objects, Func<T, string> key, Func<T, long> size, string action)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            var known = new Dictionary<string, string>(StringComparer.Ordinal);
            var keys = objects.Select(key).ToList();
            var (first, last) = Bounds(keys);
            using (var states = Command("SELECT key, state FROM items WHERE job = $j AND key >= $first AND key <= $last",
                ("$j", job), ("$first", first), ("$last", last)))
            {
                states.Transaction = tx;
                using var r = states.ExecuteReader();
                while (r.Read()) known[r.GetString(0)] = r.GetString(1);
            }
            var todo = new List<T>();
            using var plan = Command("INSERT OR IGNORE INTO items (job, key, state, action, size) VALUES ($j, $k, $s, $a, $size)",
                ("$j", job), ("$k", ""), ("$s", MigrationItemStates.Planned), ("$a", action), ("$size", 0L));
            plan.Transaction = tx;
            for (var i = 0; i < objects.Count; i++)
            {
                var (o, k) = (objects[i], keys[i]);
                if (known.TryGetValue(k, out var state))
                {
                    if (state is MigrationItemStates.Planned or MigrationItemStates.Failed) todo.Add(o);
                    continue;
                }
                plan.Parameters["$k"].Value = k;
                plan.Parameters["$size"].Value = size(o);
                plan.ExecuteNonQuery();
                known[k] = ""; // a key listed twice in one page is moved once
                todo.Add(o);
            }
            tx.Commit();
            return todo;
        }
    }

    /// <summary>
    /// The least and greatest of <paramref name="keys"/> in SQLite's text order (UTF-8 bytes), so a range query over
    /// them sees every one of them; what else it sees is ignored by the caller.
    /// </summary>
    private static (string First, string Last) Bounds(IReadOnlyList<string> keys)
    {
        if (keys.Count == 0) return ("", "");
        var (first, last) = (keys[0], keys[0]);
        foreach (var k in keys)
        {
            if (Utf8KeyOrder.Instance.Compare(k, first) < 0) first = k;
            if (Utf8KeyOrder.Instance.Compare(k, last) > 0) last = k;
        }
        return (first, last);
    }

    public (string State, string Action)? ItemState(string job, string key)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT state, action FROM items WHERE job = $j AND key = $k", ("$j", job), ("$k", key));
            using var r = cmd.ExecuteReader();
            return r.Read() ? (r.GetString(0), r.GetString(1)) : null;
        }
    }

    /// <summary>Records how an object ended and, in the same transaction, forgets its multipart upload (completed or abandoned).</summary>
    /// <param name="sourceDeleted">A move deleted the source object.</param>
    /// <param name="keepUpload">Keep the object's multipart upload (it failed transiently: a resume continues the upload).</param>
    public void FinishItem(string job, string key, string state, string action, long size, string? sha256, string? error, bool sourceDeleted = false,
        bool keepUpload = false)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            using (var cmd = Command("INSERT INTO items (job, key, state, action, size, sha256, error, source_deleted) VALUES ($j, $k, $s, $a, $size, $sha, $e, $sd) ON CONFLICT (job, key) DO UPDATE SET state = $s, action = $a, size = $size, sha256 = $sha, error = $e, source_deleted = $sd",
                ("$j", job), ("$k", key), ("$s", state), ("$a", action), ("$size", size), ("$sha", sha256), ("$e", error), ("$sd", sourceDeleted ? 1 : 0)))
            {
                cmd.Transaction = tx;
                cmd.ExecuteNonQuery();
            }
            if (!keepUpload) DropUpload(job, key, tx);
            tx.Commit();
        }
    }

    /// <summary>
    /// Makes a job that ended (failed, interrupted) or was paused queued again, in one transaction: its failed objects
    /// become planned again (keeping their last error until they are tried: <see cref="ReplannedItems"/> finds them by it),
    /// its last error and end time are cleared. False when the job was not in <paramref name="from"/> any more.
    /// </summary>
    public bool Requeue(string id, string from)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            using (var job = Command("UPDATE jobs SET state = $q, finished = NULL, last_error = NULL WHERE id = $id AND state = $from",
                ("$id", id), ("$q", MigrationStates.Queued), ("$from", from)))
            {
                job.Transaction = tx;
                if (job.ExecuteNonQuery() == 0) return false;
            }
            using (var items = Command("UPDATE items SET state = $p WHERE job = $j AND state = $f",
                ("$j", id), ("$p", MigrationItemStates.Planned), ("$f", MigrationItemStates.Failed)))
            {
                items.Transaction = tx;
                items.ExecuteNonQuery();
            }
            tx.Commit();
            return true;
        }
    }

    /// <summary>
    /// Objects failed in an earlier run and planned again by a resume (planned, with the error of their last try), in key
    /// order after <paramref name="afterKey"/>: what a resumed job moves once its listing has ended. With
    /// <paramref name="untried"/>, every object still planned (once a run's listing has ended, it finished every object
    /// it listed: the others were listed by an earlier run and not since).
    /// </summary>
    public IReadOnlyList<(string Key, long Size)> ReplannedItems(string job, string? afterKey, int limit, bool untried = false)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT key, size FROM items WHERE job = $j AND state = $p AND ($untried OR error IS NOT NULL) AND action = $a AND ($after IS NULL OR key > $after) ORDER BY key LIMIT $limit",
                ("$j", job), ("$p", MigrationItemStates.Planned), ("$untried", untried), ("$a", MigrationItemStates.Copy), ("$after", afterKey), ("$limit", limit));
            using var r = cmd.ExecuteReader();
            var items = new List<(string, long)>();
            while (r.Read()) items.Add((r.GetString(0), r.GetInt64(1)));
            return items;
        }
    }

    /// <summary>A page of items in raw key order (target-side items, under <see cref="DeleteMarker"/>, first), optionally of one state and of one action.</summary>
    public IReadOnlyList<(string RawKey, MigrationItem Item)> Items(string job, string? state, string? afterKey, int limit, string? action = null)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT key, state, action, size, sha256, error, source_deleted FROM items WHERE job = $j AND ($s IS NULL OR state = $s) AND ($a IS NULL OR action = $a) AND ($after IS NULL OR key > $after) ORDER BY key LIMIT $limit",
                ("$j", job), ("$s", state), ("$a", action), ("$after", afterKey), ("$limit", limit));
            using var r = cmd.ExecuteReader();
            var items = new List<(string, MigrationItem)>();
            while (r.Read())
                items.Add((r.GetString(0), new MigrationItem(DisplayKey(r.GetString(0)), r.GetString(1), r.GetString(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.GetInt64(6) != 0)));
            return items;
        }
    }

    /// <summary>Jobs from one store to another, newest first.</summary>
    public IReadOnlyList<JobRow> JobsBetween(string sourceStore, string targetStore)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT seq, id, spec, state, cursor, listing_done, deleting_done, created, started, finished, running_ms, last_error FROM jobs WHERE json_extract(spec, '$.source.store') = $s COLLATE NOCASE AND json_extract(spec, '$.target.store') = $t COLLATE NOCASE ORDER BY seq DESC",
                ("$s", sourceStore), ("$t", targetStore));
            using var r = cmd.ExecuteReader();
            var jobs = new List<JobRow>();
            while (r.Read()) jobs.Add(ReadJob(r));
            return jobs;
        }
    }

    public IReadOnlyList<Live.Cutover> Cutovers()
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT store, from_store, to_store, job, at FROM cutovers");
            using var r = cmd.ExecuteReader();
            var cutovers = new List<Live.Cutover>();
            while (r.Read()) cutovers.Add(new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4))));
            return cutovers;
        }
    }

    /// <summary>Records a cutover; a store already cut over keeps its first one.</summary>
    public void AddCutover(Live.Cutover c) =>
        Write("INSERT OR IGNORE INTO cutovers (store, from_store, to_store, job, at) VALUES ($s, $f, $t, $j, $at)",
            ("$s", c.Store), ("$f", c.From), ("$t", c.To), ("$j", c.Migration), ("$at", c.CutOverAt.ToUnixTimeMilliseconds()));

    /// <summary>
    /// Since when a migrating store has fronted From -> To, as this gateway first saw it (kept: later calls return the first
    /// time). From then on services write To only through that store.
    /// </summary>
    public DateTimeOffset FrontedSince(string from, string to, DateTimeOffset now)
    {
        Write("INSERT OR IGNORE INTO fronted_pairs (from_store, to_store, since) VALUES ($f, $t, $now)", ("$f", from), ("$t", to), ("$now", now.ToUnixTimeMilliseconds()));
        lock (_lock)
        {
            using var cmd = Command("SELECT since FROM fronted_pairs WHERE from_store = $f AND to_store = $t", ("$f", from), ("$t", to));
            return DateTimeOffset.FromUnixTimeMilliseconds((long)cmd.ExecuteScalar()!);
        }
    }

    public void Dispose() => _db.Dispose();

    /// <summary>
    /// Target objects a sync deletes, or leaves because they are newer, are recorded under this marker (keys hold no control characters).
    /// </summary>
    public const string DeleteMarker = "\u0001delete:";

    private static string DisplayKey(string key) => key.StartsWith(DeleteMarker, StringComparison.Ordinal) ? key[DeleteMarker.Length..] : key;

    private static JobRow ReadJob(SqliteDataReader r) => new(
        r.GetInt64(0), r.GetString(1), JsonSerializer.Deserialize<MigrationSpec>(r.GetString(2), Json)!, r.GetString(3),
        r.IsDBNull(4) ? null : r.GetString(4), r.GetInt64(5) != 0, r.GetInt64(6) != 0,
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)),
        r.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)),
        r.IsDBNull(9) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(9)),
        TimeSpan.FromMilliseconds(r.GetInt64(10)), r.IsDBNull(11) ? null : r.GetString(11));

    private void Write(string sql, params (string Name, object? Value)[] parameters) => WriteCount(sql, parameters);

    private int WriteCount(string sql, params (string Name, object? Value)[] parameters)
    {
        lock (_lock)
        {
            using var cmd = Command(sql, parameters);
            return cmd.ExecuteNonQuery();
        }
    }

    private void Execute(string sql) { using var cmd = Command(sql); cmd.ExecuteNonQuery(); }

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }
}

public sealed record JobRow(long Seq, string Id, MigrationSpec Spec, string State, string? Cursor, bool ListingDone, bool DeletingDone,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, TimeSpan RunningTime, string? LastError);

/// <param name="DeletedAtTarget">Target objects a sync deleted.</param>
/// <param name="DeletedAtSource">Source objects a move deleted.</param>
/// <param name="NewerAtTarget">Objects left as the target holds them because a service wrote them there (newer at the target).</param>
/// <param name="GoneAtSource">Objects listed at the source and gone from it before the job moved them.</param>
public sealed record JobTotals(MigrationCounters Objects, MigrationCounters Bytes, long DeletedAtTarget, long DeletedAtSource = 0, long NewerAtTarget = 0, long GoneAtSource = 0);
