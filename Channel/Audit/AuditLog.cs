using Gateway.Channel.Diagnostics;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Gateway.Channel.Identity;
using Gateway.Channel.Witnesses;
using Microsoft.Data.Sqlite;

namespace Gateway.Channel.Audit;

/// <summary>
/// The transparency log in SQLite: entries (witnesses and their outcome), leaves (the RFC 9162 tree's leaf hashes)
/// and the signed heads over them. Writes are group-committed: one writer drains everything queued into one
/// transaction with <c>synchronous=FULL</c> (one WAL fsync for many appends), and each append's task completes
/// only once that commit returned, so an answer released after it survives a power cut.
/// </summary>
public sealed partial class AuditLog : IWitnessSink, IDisposable
{
    internal static readonly byte[] EntryLabel = "CTP-96 audit v2\0"u8.ToArray();
    internal const string EntryColumns = "seq, request_id, operation, target, status, outcome, host_key, recorded_at, leaf_index, witness, prev_hash, entry_hash";
    private const int MaxBatch = 4096;

    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly Channel<Write> _queue = System.Threading.Channels.Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _stateLock = new();
    private readonly Task _writing;
    private long _lastSequence;
    private byte[] _lastHash = new byte[32];
    private MerkleFrontier _frontier = new();
    private SignedTreeHead? _lastHead;
    // The newest head whose write has committed: readers prove against it, since _lastHead runs ahead of the database.
    private SignedTreeHead? _durableHead;

    public AuditLog(string databasePath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (directory is not null) Directory.CreateDirectory(directory);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        // WAL + synchronous=FULL: every commit fsyncs the WAL. Group commit makes that one fsync per batch, not per call.
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        RetireVersion1Chain();
        Execute("""
            CREATE TABLE IF NOT EXISTS audit_entries (
                seq INTEGER PRIMARY KEY,
                request_id TEXT NOT NULL,
                operation TEXT NOT NULL,
                target TEXT NOT NULL,
                status TEXT NOT NULL,
                outcome TEXT NOT NULL,
                host_key TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                leaf_index INTEGER NOT NULL,
                witness BLOB NOT NULL,
                prev_hash BLOB NOT NULL,
                entry_hash BLOB NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_audit_request ON audit_entries(request_id);
            CREATE INDEX IF NOT EXISTS ix_audit_leaf ON audit_entries(leaf_index);
            CREATE TABLE IF NOT EXISTS audit_leaves (
                leaf_index INTEGER PRIMARY KEY,
                leaf_hash BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS audit_heads (
                head_id INTEGER PRIMARY KEY,
                tree_size INTEGER NOT NULL,
                root_hash BLOB NOT NULL,
                head_hash BLOB NOT NULL,
                host_key TEXT NOT NULL,
                signed_at TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                head BLOB NOT NULL,
                frontier BLOB NOT NULL);
            """);
        CreatePendingTable();
        LoadState();
        LoadPendingState();
        ChannelMetrics.TrackAudit(this, () => Volatile.Read(ref _lastSequence), () => PendingCounts);
        _writing = Task.Run(WriteLoopAsync);
    }

    public string DatabasePath => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    public LogCheckpoint Checkpoint
    {
        get { lock (_stateLock) return new LogCheckpoint(_frontier.Clone(), _lastHead); }
    }

    /// <summary>
    /// The latest signed head that is durable, with its leaves and the entries it covers (null while there is none): what
    /// readers of the log (proofs, monitors) see. A head just appended is not, until its write has committed.
    /// </summary>
    public SignedTreeHead? LatestHead
    {
        get { lock (_stateLock) return _durableHead; }
    }

    public Task AppendHeadAsync(HeadBatch batch, IReadOnlyList<HeadEntry> entries)
    {
        var head = batch.Head;
        byte[] frontier;
        lock (_stateLock)
        {
            // The log checks on its own that every head extends it: a late head of an old session cannot fork it.
            if (!head.PreviousHeadHash.AsSpan().SequenceEqual(_lastHead?.Hash() ?? new byte[32]) || batch.FirstIndex != _frontier.Size)
                return Task.FromException(new InvalidOperationException("The head does not extend the audit log."));
            var next = _frontier.Clone();
            foreach (var leaf in batch.Leaves) next.Append(leaf);
            if (next.Size != head.TreeSize || !next.Root().AsSpan().SequenceEqual(head.RootHash))
                return Task.FromException(new InvalidOperationException("The head's leaves do not reproduce its root."));
            _frontier = next;
            _lastHead = head;
            frontier = EncodeFrontier(next);
        }
        return Enqueue(new HeadWrite(batch, frontier, entries));
    }

    public Task AppendEntryAsync(WitnessRecord entry) => Enqueue(new EntriesWrite([entry]));

    private Task Enqueue(Write write)
    {
        if (!_queue.Writer.TryWrite(write)) return Task.FromException(new ObjectDisposedException(nameof(AuditLog)));
        return write.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Write>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var w)) batch.Add(w);
            var (sequence, hash) = (_lastSequence, _lastHash);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                using (var tx = _writer.BeginTransaction())
                {
                    foreach (var w in batch) (sequence, hash) = w.Apply(this, tx, sequence, hash);
                    tx.Commit();
                }
                SettlePendingDelta(committed: true);
                ChannelMetrics.AuditCommitted(started, (int)(sequence - _lastSequence), batch.Count(w => w is HeadWrite));
                (_lastSequence, _lastHash) = (sequence, hash);
                if (batch.LastOrDefault(w => w is HeadWrite) is HeadWrite committed)
                    lock (_stateLock) _durableHead = committed.Batch.Head;
                foreach (var w in batch) w.Done.TrySetResult();
            }
            catch (Exception e)
            {
                SettlePendingDelta(committed: false);
                foreach (var w in batch) w.Done.TrySetException(e);
            }
        }
    }

    private abstract record Write
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public abstract (long, byte[]) Apply(AuditLog log, SqliteTransaction tx, long sequence, byte[] previous);
    }

    private sealed record EntriesWrite(IReadOnlyList<WitnessRecord> Entries) : Write
    {
        public override (long, byte[]) Apply(AuditLog log, SqliteTransaction tx, long sequence, byte[] previous)
        {
            foreach (var e in Entries)
            {
                // A covered leaf that once had a pending row gets its outcome now: the row goes in the same commit.
                log.DeletePending(tx, e.LeafIndex);
                (sequence, previous) = log.InsertEntry(tx, e, sequence, previous);
            }
            return (sequence, previous);
        }
    }

    private sealed record HeadWrite(HeadBatch Batch, byte[] Frontier, IReadOnlyList<HeadEntry> Entries) : Write
    {
        public override (long, byte[]) Apply(AuditLog log, SqliteTransaction tx, long sequence, byte[] previous)
        {
            log.InsertHead(tx, Batch, Frontier);
            foreach (var e in Entries)
            {
                var record = e.Take();
                if (record.Outcome == WitnessRecord.Pending) log.InsertPending(tx, record);
                else (sequence, previous) = log.InsertEntry(tx, record, sequence, previous);
            }
            return (sequence, previous);
        }
    }

    private void InsertHead(SqliteTransaction tx, HeadBatch batch, byte[] frontier)
    {
        using (var leaf = _writer.CreateCommand())
        {
            leaf.Transaction = tx;
            leaf.CommandText = "INSERT INTO audit_leaves (leaf_index, leaf_hash) VALUES ($i, $h)";
            var index = leaf.Parameters.Add("$i", SqliteType.Integer);
            var hash = leaf.Parameters.Add("$h", SqliteType.Blob);
            for (var i = 0; i < batch.Leaves.Count; i++)
            {
                index.Value = batch.FirstIndex + i;
                hash.Value = batch.Leaves[i];
                leaf.ExecuteNonQuery();
            }
        }
        var head = batch.Head;
        using var insert = _writer.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT INTO audit_heads (tree_size, root_hash, head_hash, host_key, signed_at, recorded_at, head, frontier)
            VALUES ($size, $root, $hash, $host, $signed, $at, $head, $frontier)
            """;
        insert.Parameters.AddWithValue("$size", head.TreeSize);
        insert.Parameters.AddWithValue("$root", head.RootHash);
        insert.Parameters.AddWithValue("$hash", head.Hash());
        insert.Parameters.AddWithValue("$host", head.HostKey);
        insert.Parameters.AddWithValue("$signed", head.Timestamp.ToString("O"));
        insert.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O"));
        insert.Parameters.AddWithValue("$head", head.Encode());
        insert.Parameters.AddWithValue("$frontier", frontier);
        insert.ExecuteNonQuery();
    }

    private (long, byte[]) InsertEntry(SqliteTransaction tx, WitnessRecord e, long sequence, byte[] previous)
    {
        var seq = sequence + 1;
        var hash = EntryHash(seq, previous, e.LeafIndex, e.Outcome, e.Encoded);
        using var insert = _writer.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = $"INSERT INTO audit_entries ({EntryColumns}) VALUES ($seq, $rid, $op, $target, $status, $outcome, $host, $at, $leaf, $witness, $prev, $hash)";
        insert.Parameters.AddWithValue("$seq", seq);
        insert.Parameters.AddWithValue("$rid", e.Witness.RequestId);
        insert.Parameters.AddWithValue("$op", e.Witness.Operation);
        insert.Parameters.AddWithValue("$target", e.Witness.Target);
        insert.Parameters.AddWithValue("$status", e.Witness.Status);
        insert.Parameters.AddWithValue("$outcome", e.Outcome);
        insert.Parameters.AddWithValue("$host", e.HostKey);
        insert.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O"));
        insert.Parameters.AddWithValue("$leaf", e.LeafIndex);
        insert.Parameters.AddWithValue("$witness", e.Encoded);
        insert.Parameters.AddWithValue("$prev", previous);
        insert.Parameters.AddWithValue("$hash", hash);
        insert.ExecuteNonQuery();
        return (seq, hash);
    }

    private void LoadState()
    {
        using (var last = _writer.CreateCommand())
        {
            last.CommandText = "SELECT seq, entry_hash FROM audit_entries ORDER BY seq DESC LIMIT 1";
            using var reader = last.ExecuteReader();
            if (reader.Read())
            {
                _lastSequence = reader.GetInt64(0);
                _lastHash = (byte[])reader[1];
            }
        }
        using var head = _writer.CreateCommand();
        head.CommandText = "SELECT head, frontier FROM audit_heads ORDER BY head_id DESC LIMIT 1";
        using var r = head.ExecuteReader();
        if (!r.Read()) return;
        try { _lastHead = _durableHead = SignedTreeHead.Decode(r[0] as byte[] ?? throw new FormatException("not a blob")); }
        catch (FormatException) { throw new InvalidDataException("The last signed head stored in the audit log does not decode: the audit log was edited. Run 'audit verify' on it."); }
        // The log continues from this edge; one that is not the last head's tree would fail only at the next head, after
        // a call had been made, so a start over an edited file is refused here.
        MerkleFrontier? frontier = null;
        try { frontier = r[1] is byte[] { Length: var n } stored && n % MerkleTree.HashLength == 0 ? DecodeFrontier(_lastHead.TreeSize, stored) : null; }
        catch (FormatException) { }
        if (frontier is null || !frontier.Root().AsSpan().SequenceEqual(_lastHead.RootHash))
            throw new InvalidDataException($"The last signed head's stored frontier (size {_lastHead.TreeSize}) does not reproduce its root: the audit log was edited. Run 'audit verify' on it.");
        _frontier = frontier;
    }

    /// <summary>A database of the per-witness-signature chain (before tree heads) is kept aside, never mixed in.</summary>
    private void RetireVersion1Chain()
    {
        using var probe = _writer.CreateCommand();
        probe.CommandText = "SELECT COUNT(*) FROM pragma_table_info('audit_entries') WHERE name = 'leaf_index'";
        var hasLeaf = Convert.ToInt64(probe.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
        probe.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit_entries'";
        var exists = Convert.ToInt64(probe.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
        if (exists && !hasLeaf) Execute("DROP INDEX IF EXISTS ix_audit_request; ALTER TABLE audit_entries RENAME TO audit_entries_v1;");
    }

    internal static byte[] EncodeFrontier(MerkleFrontier f) => f.Nodes.SelectMany(n => n).ToArray();

    internal static MerkleFrontier DecodeFrontier(long size, byte[] data) =>
        new(size, Enumerable.Range(0, data.Length / 32).Select(i => data.AsSpan(i * 32, 32).ToArray()));

    internal static byte[] EntryHash(long sequence, ReadOnlySpan<byte> previous, long leafIndex, string outcome, ReadOnlySpan<byte> witness)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(EntryLabel);
        Span<byte> n = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(n, sequence);
        hash.AppendData(n);
        hash.AppendData(previous);
        BinaryPrimitives.WriteInt64BigEndian(n, leafIndex);
        hash.AppendData(n);
        var o = Encoding.UTF8.GetBytes(outcome);
        BinaryPrimitives.WriteUInt16BigEndian(n, (ushort)o.Length);
        hash.AppendData(n[..2]);
        hash.AppendData(o);
        hash.AppendData(witness);
        return hash.GetHashAndReset();
    }

    private void Execute(string sql)
    {
        using var command = _writer.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Verifies the whole log offline against the given bridge-host keys.</summary>
    public static AuditVerification Verify(string databasePath, IReadOnlyCollection<HybridPublicKey> hostKeys, SignedTreeHead? checkpoint = null) =>
        AuditVerifier.Verify(databasePath, hostKeys, checkpoint);

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        try { _writing.Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
        _writer.Dispose();
    }
}
