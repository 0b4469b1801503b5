using System.Security.Cryptography;
using System.Threading.Channels;
using Gateway.Channel.Diagnostics;
using Gateway.Channel.Identity;
using Microsoft.Extensions.Logging;

namespace Gateway.Channel.Witnesses;

/// <summary>
/// The gateway's view of one session's witness log. HEAD frames are checked in order: the hybrid signature under
/// the pinned host key, no rollback below the size already held, no second root for the same size (fork), the chain
/// link to the previous head, and that the new leaves appended to the verified right edge reproduce the signed root
/// (which proves every new leaf's inclusion and the head's consistency with the one before). A call's witness is
/// released only when such a head covers its leaf index, the leaf at that index is the witness's own hash, and the
/// head and entry are durable in the audit log. Any failed head breaks the session: every waiting call fails and the
/// connection is closed. A head is committed only with an entry for every leaf it covers: a call that is still reading
/// its answer when its leaf is covered is kept as a pending leaf until its outcome comes (SessionLog.Pending.cs).
/// </summary>
public sealed partial class SessionLog : Connections.IWitnessLogFrames
{
    private readonly Lock _lock = new();
    private HybridPublicKey _hostKey = null!;
    private readonly IWitnessSink? _sink;
    private readonly TimeSpan _headTimeout;
    private readonly TimeSpan _witnessTimeout;
    private readonly ILogger _log;
    private readonly string _peer;
    private Action<Exception> _broken = static _ => { };
    private readonly Channel<byte[]> _heads = System.Threading.Channels.Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Dictionary<long, Pending> _waiting = [];
    private MerkleFrontier _frontier;
    private SignedTreeHead? _lastHead;
    private byte[] _lastHeadHash;
    private WitnessFailure? _failure;
    private volatile bool _failed;
    private bool _closed;
    // Heads received from the connection and heads checked: a close while they differ had a head still unchecked.
    private long _headsReceived;
    private long _headsDone;
    // The connection's loss, when the session closed with one (see Close): later submissions fail with it too.
    private Exception? _lostWith;
    // The loop that checks heads, and whether a lost connection's last heads are being checked before the close.
    private Task _processing = Task.CompletedTask;
    private bool _draining;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts from the sink's checkpoint; HEAD frames queue until <see cref="Attach"/> names the host key.</summary>
    /// <param name="witnessTimeout">How long a head that covers a leaf whose WITNESS frame has not come yet waits for it.</param>
    public SessionLog(IWitnessSink? sink, TimeSpan headTimeout, ILogger log, string peer, TimeSpan? witnessTimeout = null)
    {
        _sink = sink;
        _headTimeout = headTimeout;
        _witnessTimeout = witnessTimeout ?? TimeSpan.FromSeconds(30);
        _log = log;
        _peer = peer;
        var start = sink?.Checkpoint ?? new LogCheckpoint(new MerkleFrontier(), null);
        _frontier = start.Frontier.Clone();
        _lastHead = start.Head;
        _lastHeadHash = start.Head?.Hash() ?? new byte[32];
        Start = start;
    }

    /// <summary>Once the handshake named the host: checks heads under <paramref name="hostKey"/>; <paramref name="broken"/> closes the connection.</summary>
    public void Attach(HybridPublicKey hostKey, Action<Exception> broken)
    {
        _hostKey = hostKey;
        _broken = broken;
        _processing = Task.Run(ProcessHeadsAsync);
    }

    /// <summary>Where this session's log continues from (sent to the host in the log-open call).</summary>
    public LogCheckpoint Start { get; }

    public string HostKey => _hostKey.Fingerprint.ToString();

    /// <summary>The verified tree size.</summary>
    public long Size { get { lock (_lock) return _frontier.Size; } }

    /// <summary>Called by the connection's read loop: queues a HEAD frame for checking.</summary>
    public void OnHead(ReadOnlySpan<byte> payload)
    {
        Interlocked.Increment(ref _headsReceived);
        _heads.Writer.TryWrite(payload.ToArray());
    }

    /// <summary>Called by the connection: the witness of a call that ended early (abandoned by this side, or reset by the host) is recorded as such.</summary>
    public void OnLateWitness(ReadOnlySpan<byte> payload)
    {
        (long Index, byte[] Encoded, Witness Witness) frame;
        try { frame = Witness.DecodeFrame(payload); }
        catch (FormatException)
        {
            if (Witness.SplitUndecodable(payload) is { } raw)
                _ = RecordAsync(raw.LeafIndex, raw.Encoded, Witness.Undecodable(""), WitnessRecord.Refused(WitnessFailure.Malformed));
            return;
        }
        var outcome = frame.Witness.Status == Witness.InterruptedStatus ? WitnessRecord.Interrupted : WitnessRecord.Abandoned;
        _ = RecordAsync(frame.Index, frame.Encoded, frame.Witness, outcome);
    }

    /// <summary>Records a witness whose call is not released (refused or abandoned) whenever its head comes.</summary>
    public async Task RecordAsync(long leafIndex, byte[] encoded, Witness witness, string outcome)
    {
        try { await SubmitAsync(leafIndex, encoded, witness, outcome, release: false, CancellationToken.None).ConfigureAwait(false); }
        catch (WitnessFailedException) { /* already logged; nothing was released */ }
    }

    /// <summary>
    /// The session ended (<paramref name="cause"/>: the connection's close error): calls still waiting for a head fail.
    /// When the connection was lost (the host crashed or restarted, the network cut), the heads it had already sent are
    /// checked first (for at most the head timeout): a host that signed a head and died while this side checked it has
    /// its calls released, as if it had lived. Calls a checked head does not cover then fail with the loss: nothing of
    /// them was released, so the caller gets a 503 and an idempotent call is sent again. Otherwise (a head still
    /// unchecked, a failed log, this side closing) they fail closed as head-missing, a security event.
    /// </summary>
    public void Close(Exception? cause = null)
    {
        _heads.Writer.TryComplete();
        if (cause is not null && Framing.ChannelProtocolException.IsConnectionLoss(cause) && HeadsPending)
        {
            bool draining;
            lock (_lock)
            {
                // No WITNESS frame comes any more: a head still waiting for one is not committed.
                draining = _draining = _failure is null && !_closed;
                StopAwaiting();
            }
            if (draining)
            {
                _ = FinishAfterHeadsAsync(cause);
                return;
            }
        }
        Finish(cause);
    }

    /// <summary>
    /// Completes once the session is closed and no head of it can be applied any more: a new session of the same log
    /// starts from the sink's checkpoint only after that, or a head drained here would be written after it.
    /// </summary>
    public Task Closed => _ended.Task;

    private bool HeadsPending => Volatile.Read(ref _headsReceived) != Volatile.Read(ref _headsDone);

    private async Task FinishAfterHeadsAsync(Exception cause)
    {
        // A head still unchecked at the bound (or a loop that broke) leaves HeadsPending: Finish fails its calls closed.
        await Task.WhenAny(_processing, Task.Delay(_headTimeout)).ConfigureAwait(false);
        Finish(cause);
    }

    private void Finish(Exception? cause)
    {
        var headsPending = HeadsPending;
        List<Pending> orphans;
        bool lost;
        lock (_lock)
        {
            lost = cause is not null && Framing.ChannelProtocolException.IsConnectionLoss(cause) && _failure is null && !headsPending;
            _lostWith = lost ? cause : null;
            // A head checked but not yet applied is dropped: the calls it covers fail here, so it would be written
            // without their entries. The next session continues from the last head written.
            _closed = true;
            StopAwaiting();
            orphans = [.. _waiting.Values];
            _waiting.Clear();
        }
        // A call still waiting to be released is refused like any other (security event 9603) unless the connection was
        // lost (the caller logs that, event CallInterrupted); one only being recorded was logged already.
        foreach (var p in orphans)
            p.Fail(!p.Release ? new WitnessFailedException(WitnessFailure.HeadMissing, p.RequestId)
                : lost ? Lost(cause!) : Rejected(WitnessFailure.HeadMissing, p.RequestId));
        _ended.TrySetResult();
    }

    /// <summary>A call's own copy of the connection's loss (one exception object is not thrown on many calls at once).</summary>
    private static IOException Lost(Exception cause) => cause is Framing.ChannelProtocolException p
        ? new Framing.ChannelProtocolException(p.Reason, p.Message, p)
        : new IOException(cause.Message, cause);

    /// <summary>
    /// Hands a witness to the log. With <paramref name="release"/>, waits until a verified head covers it and its entry
    /// is durable (or throws <see cref="WitnessFailedException"/>); without, records it whenever its head comes.
    /// </summary>
    public async Task SubmitAsync(long leafIndex, byte[] encoded, Witness witness, string outcome, bool release, CancellationToken ct)
    {
        var requestId = witness.RequestId;
        var record = new WitnessRecord(leafIndex, encoded, witness, outcome, HostKey);
        Pending pending;
        Task? write = null;
        WitnessFailure? refusedBy = null;
        lock (_lock)
        {
            _received.Remove(leafIndex);
            if (ResolvePending(record, release, out refusedBy) is { } resolution)
            {
                write = resolution;
                pending = null!;
            }
            else if (_failure is { } failed) throw new WitnessFailedException(failed, requestId);
            else if (_closed)
            {
                // The connection ended between this call's witness and its submission: no head will come for it.
                if (!release) return;
                if (_lostWith is { } lostWith) throw Lost(lostWith);
                throw Rejected(WitnessFailure.HeadMissing, requestId);
            }
            else if (leafIndex < _frontier.Size)
            {
                // Every leaf a head covers had its witness here before the head was written (with its entry, or as a
                // pending leaf resolved above): this is a second witness for a leaf already accounted for.
                throw Rejected(WitnessFailure.NotIncluded, requestId);
            }
            else
            {
                if (_waiting.ContainsKey(leafIndex)) throw Rejected(WitnessFailure.NotIncluded, requestId);
                pending = new Pending(record, release);
                _waiting[leafIndex] = pending;
                Arrived(leafIndex);
            }
        }
        if (write is not null)
        {
            await Durable(write, requestId).ConfigureAwait(false);
            if (refusedBy is { } refused) throw new WitnessFailedException(refused, requestId);
            return;
        }
        if (!release) return;
        try
        {
            await pending.Completion.Task.WaitAsync(_headTimeout, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            var stillWaiting = false;
            lock (_lock)
            {
                if (_waiting.ContainsKey(leafIndex))
                {
                    stillWaiting = true;
                    pending.Record = pending.Record with { Outcome = e is TimeoutException ? WitnessRecord.Refused(WitnessFailure.HeadMissing) : WitnessRecord.Abandoned };
                    pending.Release = false;
                }
            }
            if (!stillWaiting)
            {
                // The head came just now and the entry is being written: finish as if it had come in time.
                await pending.Completion.Task.ConfigureAwait(false);
                return;
            }
            if (e is OperationCanceledException) throw;
            throw Rejected(WitnessFailure.HeadMissing, requestId);
        }
    }

    private async Task Durable(Task write, string requestId)
    {
        try { await write.ConfigureAwait(false); }
        catch (Exception e) when (e is not WitnessFailedException)
        {
            throw Rejected(WitnessFailure.AuditFailed, requestId);
        }
    }

    private WitnessFailedException Rejected(WitnessFailure reason, string requestId)
    {
        ChannelLog.WitnessRejected(_log, reason.ToString(), requestId);
        ChannelMetrics.WitnessFailed(reason.ToString());
        return new WitnessFailedException(reason, requestId);
    }

    private async Task ProcessHeadsAsync()
    {
        await foreach (var payload in _heads.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            HeadBatch batch;
            try { batch = HeadBatch.Decode(payload); }
            catch (FormatException e)
            {
                Break(WitnessFailure.Malformed, e.Message);
                return;
            }
            try
            {
                if (!await ApplyAsync(batch).ConfigureAwait(false)) return;
            }
            finally { Interlocked.Increment(ref _headsDone); }
        }
    }

    /// <summary>
    /// Checks a head and queues its write; does not wait for the commit, so heads that arrive during one fsync are
    /// committed together by the next (the log applies writes in order). Its calls are released when theirs commits.
    /// </summary>
    private async Task<bool> ApplyAsync(HeadBatch batch)
    {
        var head = batch.Head;
        List<Pending> included = [];
        List<HeadEntry> entries = [];
        List<PendingLeaf> pendingLeaves = [];
        Task write;
        // Only this loop changes the frontier and the last head, so the costly checks (a hybrid signature, the leaves'
        // hashes) run outside the lock that every call's SubmitAsync takes: under load, calls queued behind a head's
        // verification were the gateway's largest wait (docs/performance.md).
        var problem = Check(batch, out var next);
        if (problem is null)
        {
            switch (await AwaitWitnessesAsync(batch).ConfigureAwait(false))
            {
                case WitnessWait.Closed:
                    return false;
                case WitnessWait.Unsent unsent:
                    // Not a security event: a host that crashed between signing a head and sending a witness it covers
                    // looks the same. Nothing of its calls is released; they fail as lost.
                    ChannelLog.HeadUncommittedOnLoss(_log, head.TreeSize, _peer, unsent.LeafIndex);
                    return false;
                case WitnessWait.Missing missing:
                    problem = (WitnessFailure.Unwitnessed, $"the head of size {head.TreeSize} covers leaf {missing.LeafIndex}, whose WITNESS frame did not come within {_witnessTimeout.TotalSeconds:0.#} s");
                    break;
            }
        }
        lock (_lock)
        {
            if (_failure is not null || _closed) return false;
            if (problem is null && Undelivered(batch) is { } undelivered)
                problem = (WitnessFailure.NotIncluded, $"the head of size {head.TreeSize} covers leaf {undelivered}, but the WITNESS frame that names it is not that leaf");
            if (problem is { } p)
            {
                Fail(p.Reason, p.Detail);
                return false;
            }
            _frontier = next!;
            _lastHead = head;
            _lastHeadHash = head.Hash();
            for (var i = 0; i < batch.Leaves.Count; i++)
            {
                var index = batch.FirstIndex + i;
                if (_waiting.Remove(index, out var waiter))
                {
                    included.Add(waiter);
                    entries.Add(HeadEntry.Final(waiter.Record));
                    continue;
                }
                // Undelivered() found every other leaf's witness received: it is kept as a pending leaf.
                var pendingLeaf = PendingEntry(index, batch.Leaves[i]);
                entries.Add(pendingLeaf.Entry);
                pendingLeaves.Add(pendingLeaf);
            }
            // Enqueued under the lock: later entries for these leaves must be written after their head.
            write = _sink?.AppendHeadAsync(batch, entries) ?? Task.CompletedTask;
            foreach (var late in pendingLeaves) late.HeadWrite = write;
        }
        _ = write.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                foreach (var w in included) w.Succeed();
                return;
            }
            foreach (var w in included) w.Fail(new WitnessFailedException(WitnessFailure.AuditFailed, w.RequestId));
            lock (_lock) Fail(WitnessFailure.AuditFailed, t.Exception?.GetBaseException().Message ?? "cancelled");
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return true;
    }

    private (WitnessFailure Reason, string Detail)? Check(HeadBatch batch, out MerkleFrontier? next)
    {
        next = null;
        var head = batch.Head;
        var verifying = System.Diagnostics.Stopwatch.GetTimestamp();
        var signed = head.VerifySignature(_hostKey);
        ChannelMetrics.HeadVerified(verifying);
        if (!signed)
            return (WitnessFailure.BadSignature, $"the head of size {head.TreeSize} is not signed by the pinned host key {HostKey}");
        if (head.TreeSize < _frontier.Size)
            return (WitnessFailure.Rollback, $"a head of size {head.TreeSize} after one of size {_frontier.Size}");
        if (head.TreeSize == _frontier.Size && _lastHead is not null && !head.RootHash.AsSpan().SequenceEqual(_lastHead.RootHash))
            return (WitnessFailure.Fork, $"two heads of size {head.TreeSize} with different roots");
        if (!head.PreviousHeadHash.AsSpan().SequenceEqual(_lastHeadHash))
            return (WitnessFailure.BrokenHeadChain, $"the head of size {head.TreeSize} does not name the previous head");
        if (batch.FirstIndex != _frontier.Size || batch.FirstIndex + batch.Leaves.Count != head.TreeSize)
            return (WitnessFailure.NotIncluded, $"the batch holds leaves {batch.FirstIndex}..{batch.FirstIndex + batch.Leaves.Count - 1}, not {_frontier.Size}..{head.TreeSize - 1}");
        var extended = _frontier.Clone();
        foreach (var leaf in batch.Leaves) extended.Append(leaf);
        if (!extended.Root().AsSpan().SequenceEqual(head.RootHash))
            return (WitnessFailure.NotIncluded, $"the leaves do not reproduce the signed root of size {head.TreeSize}");
        next = extended;
        return null;
    }

    /// <summary>The log failed a check: the session takes no new call, though its connection may not be closed yet.</summary>
    public bool HasFailed => _failed;

    private void Break(WitnessFailure reason, string detail)
    {
        lock (_lock) Fail(reason, detail);
    }

    /// <summary>Under the lock: poisons the session, fails every waiting call and closes the connection.</summary>
    private void Fail(WitnessFailure reason, string detail)
    {
        if (_failure is not null) return;
        _failure = reason;
        _failed = true;
        StopAwaiting();
        ChannelLog.HeadRejected(_log, reason.ToString(), _peer, detail);
        foreach (var w in _waiting.Values) w.Fail(new WitnessFailedException(reason, w.RequestId));
        _waiting.Clear();
        _heads.Writer.TryComplete();
        var error = new WitnessFailedException(reason, "");
        _ = Task.Run(() => _broken(error));
    }

    private sealed class Pending(WitnessRecord record, bool release)
    {
        public WitnessRecord Record { get; set; } = record;
        public bool Release { get; set; } = release;
        public string RequestId => Record.Witness.RequestId;
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Succeed() => Completion.TrySetResult();

        public void Fail(Exception e)
        {
            // Nobody waits on a call that was not to be released: do not leave an unobserved exception behind.
            if (Release) Completion.TrySetException(e);
            else Completion.TrySetResult();
        }
    }
}
