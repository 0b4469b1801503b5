using System.Security.Cryptography;

namespace Gateway.Channel.Witnesses;

/// <summary>
/// A head is committed only together with an entry for every leaf it covers. A call that is still reading its answer
/// (a slow download: its WITNESS frame sits behind body bytes not read yet) has not handed its witness over, but the
/// read loop saw the frame go by (<see cref="OnWitness"/>): the head's commit keeps that witness, as the host signed it,
/// as a pending leaf (audit_pending), and the call's outcome entry, when it comes, replaces it (<see cref="ResolvePending"/>).
/// A head that covers a leaf whose WITNESS frame never comes is refused.
/// </summary>
public sealed partial class SessionLog
{
    // Witnesses the read loop received whose call has not handed them over yet, by leaf index (raw witness bytes).
    private readonly Dictionary<long, byte[]> _received = [];
    // Covered leaves recorded as pending, until the call's outcome is written.
    private readonly Dictionary<long, PendingLeaf> _pendingLeaves = [];
    private HashSet<long>? _awaited;
    private TaskCompletionSource<bool>? _awaitedArrived;

    /// <summary>Called by the connection's read loop for a WITNESS frame of an open stream, before the call reads it.</summary>
    public void OnWitness(ReadOnlySpan<byte> payload)
    {
        // Too short to name a leaf: nothing the host could have committed; the call refuses it as malformed.
        if (Witness.SplitUndecodable(payload) is not { } frame) return;
        lock (_lock)
        {
            if (_failure is not null) return;
            // The read loop sees every WITNESS frame of a live stream before any head can cover its leaf (a head waits for
            // them), so a frame naming a leaf already covered, already handed over or already received is a second
            // witness for one leaf: the host sent a witness for another call's leaf (or twice). Which of the two is the
            // signed one is not this side's guess to make, and keeping either could leave the other's call unrecorded.
            if (frame.LeafIndex < _frontier.Size || _waiting.ContainsKey(frame.LeafIndex) || !_received.TryAdd(frame.LeafIndex, frame.Encoded))
            {
                Fail(WitnessFailure.NotIncluded, $"a second WITNESS frame names leaf {frame.LeafIndex}");
                return;
            }
            Arrived(frame.LeafIndex);
        }
    }

    /// <summary>Under the lock: the witness of <paramref name="leafIndex"/> is here (received, or handed over by its call).</summary>
    private void Arrived(long leafIndex)
    {
        if (_awaited is null || !_awaited.Remove(leafIndex) || _awaited.Count > 0) return;
        _awaited = null;
        _awaitedArrived!.TrySetResult(true);
    }

    /// <summary>Under the lock: the session ended or broke; a head waiting for witnesses gives up (it is not committed).</summary>
    private void StopAwaiting()
    {
        _awaited = null;
        _awaitedArrived?.TrySetResult(false);
    }

    private abstract record WitnessWait
    {
        public sealed record AllHere : WitnessWait;
        public sealed record Closed : WitnessWait;
        public sealed record Missing(long LeafIndex) : WitnessWait;
        /// <summary>The connection ended with this leaf's WITNESS frame not received: it cannot come any more.</summary>
        public sealed record Unsent(long LeafIndex) : WitnessWait;
    }

    /// <summary>
    /// Waits until the witness of every leaf of <paramref name="batch"/> is here. The host sends a WITNESS frame right
    /// after it appends the leaf (flow control cannot hold it back), so this is at most a race of a few frames; a
    /// witness that does not come within the witness timeout names a leaf the host signed but never delivered.
    /// </summary>
    private async Task<WitnessWait> AwaitWitnessesAsync(HeadBatch batch)
    {
        Task<bool> arrived;
        HashSet<long>? missing = null;
        lock (_lock)
        {
            if (_failure is not null) return new WitnessWait.Closed();
            for (var i = 0; i < batch.Leaves.Count; i++)
            {
                var index = batch.FirstIndex + i;
                if (!_waiting.ContainsKey(index) && !_received.ContainsKey(index)) (missing ??= []).Add(index);
            }
            if (missing is null) return new WitnessWait.AllHere();
            // The connection is gone: the missing witnesses will not come.
            if (_draining) return new WitnessWait.Unsent(missing.Min());
            _awaited = missing;
            _awaitedArrived = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            arrived = _awaitedArrived.Task;
        }
        try
        {
            if (await arrived.WaitAsync(_witnessTimeout).ConfigureAwait(false)) return new WitnessWait.AllHere();
            // Stopped: the session broke, or the connection ended while the head waited (Arrived left the rest in the set).
            lock (_lock) return _draining && missing!.Count > 0 ? new WitnessWait.Unsent(missing.Min()) : new WitnessWait.Closed();
        }
        catch (TimeoutException)
        {
            lock (_lock)
            {
                var first = _awaited?.Min();
                _awaited = null;
                return first is { } leaf ? new WitnessWait.Missing(leaf) : new WitnessWait.AllHere();
            }
        }
    }

    /// <summary>
    /// Under the lock, before a head is applied: the first leaf of <paramref name="batch"/> whose delivered witness is
    /// not the leaf the head signed (or that has none any more). Such a head is refused: writing it would leave a
    /// covered leaf with no entry (a call the host signed but did not deliver, which the log would read as a deletion).
    /// </summary>
    private long? Undelivered(HeadBatch batch)
    {
        for (var i = 0; i < batch.Leaves.Count; i++)
        {
            var index = batch.FirstIndex + i;
            var encoded = _waiting.TryGetValue(index, out var waiter) ? waiter.Record.Encoded : _received.GetValueOrDefault(index);
            if (encoded is null || !CryptographicOperations.FixedTimeEquals(batch.Leaves[i], MerkleTree.LeafHash(encoded))) return index;
        }
        return null;
    }

    private sealed class PendingLeaf(byte[] leaf, HeadEntry entry)
    {
        public byte[] Leaf { get; } = leaf;
        public HeadEntry Entry { get; } = entry;
        /// <summary>The write of the head whose commit holds <see cref="Entry"/>.</summary>
        public Task HeadWrite { get; set; } = Task.CompletedTask;
    }

    /// <summary>Under the lock, while a head is applied: the pending entry of a covered leaf whose call still reads its answer.</summary>
    private PendingLeaf PendingEntry(long leafIndex, byte[] leaf)
    {
        // Undelivered() has checked that these bytes are here and are the leaf the host signed.
        var encoded = _received[leafIndex];
        _received.Remove(leafIndex);
        Witness witness;
        try { witness = Witness.Decode(encoded); }
        catch (FormatException) { witness = Witness.Undecodable(""); }
        var pending = new PendingLeaf(leaf, HeadEntry.Pending(new WitnessRecord(leafIndex, encoded, witness, WitnessRecord.Pending, HostKey)));
        _pendingLeaves[leafIndex] = pending;
        return pending;
    }

    /// <summary>
    /// Under the lock: when <paramref name="record"/>'s leaf was recorded as pending, writes the call's outcome: in the
    /// head's own commit when its writer has not taken the pending record yet, else as an entry of its own whose commit
    /// removes the pending row (a call to be released whose session broke meanwhile is refused, with the reason in
    /// <paramref name="refusedBy"/>). Returns the write to wait for; null when the leaf is not pending.
    /// </summary>
    private Task? ResolvePending(WitnessRecord record, bool release, out WitnessFailure? refusedBy)
    {
        refusedBy = null;
        if (!_pendingLeaves.TryGetValue(record.LeafIndex, out var pending)) return null;
        if (!CryptographicOperations.FixedTimeEquals(pending.Leaf, MerkleTree.LeafHash(record.Encoded)))
            throw Rejected(WitnessFailure.NotIncluded, record.Witness.RequestId);
        _pendingLeaves.Remove(record.LeafIndex);
        if (release && _failure is { } failed)
        {
            refusedBy = failed;
            record = record with { Outcome = WitnessRecord.Refused(failed) };
        }
        if (pending.Entry.TryReplace(record)) return pending.HeadWrite;
        return AfterHeadAsync(pending.HeadWrite, record);
    }

    /// <summary>
    /// The outcome of a leaf whose pending row is in a head's commit is written once that commit is durable: when it
    /// failed, the leaf is in no written head, and an entry for it would be an entry the signed heads do not cover.
    /// </summary>
    private async Task AfterHeadAsync(Task headWrite, WitnessRecord record)
    {
        await headWrite.ConfigureAwait(false);
        if (_sink is not null) await _sink.AppendEntryAsync(record).ConfigureAwait(false);
    }
}
