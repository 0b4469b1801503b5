using Gateway.Channel.Diagnostics;
using Gateway.Channel.Identity;

namespace Gateway.Channel.Witnesses;

/// <summary>
/// The bridge host's witness log for one session, signed like a database's group commit: a call appends its
/// witness's leaf hash and asks for a head; if no head is being signed, one is signed at once (light load: every
/// call gets its own head); while one is being signed, new leaves queue and the next head covers all of them (heavy
/// load: one hybrid signature per batch). Heads are chained (each names the previous head's hash) and re-signed when
/// idle, so a stalled log shows in its timestamps. Memory stays O(log n): only the tree's right edge is kept.
/// </summary>
public sealed class TreeHeadSigner
{
    private readonly Lock _lock = new();
    private readonly HybridSigningKey _key;
    private readonly Func<HeadBatch, ValueTask> _publish;
    private readonly Action<Exception> _failed;
    private MerkleFrontier _frontier = new();
    private byte[] _previousHead = new byte[32];
    private List<byte[]> _pending = [];
    private long _nextIndex;
    private bool _signing;
    private bool _opened;
    private long _lastSignedAt = Environment.TickCount64;

    /// <param name="publish">Sends a signed head and its new leaves to the client (a HEAD frame).</param>
    /// <param name="failed">Called when signing or sending a head failed (the session cannot go on).</param>
    public TreeHeadSigner(HybridSigningKey key, Func<HeadBatch, ValueTask> publish, Action<Exception> failed)
    {
        _key = key;
        _publish = publish;
        _failed = failed;
    }

    /// <summary>Test hook: rewrites (or, returning null, withholds) a head batch before it is sent.</summary>
    internal Func<HeadBatch, HeadBatch?>? TamperHead { get; set; }

    public long Size { get { lock (_lock) return _nextIndex; } }

    /// <summary>
    /// Continues the log a new session's client already holds (its last head and the tree's right edge), so one
    /// gateway's log stays one tree across reconnects. Only before the first leaf of the session.
    /// </summary>
    public void Continue(MerkleFrontier frontier, SignedTreeHead? lastHead)
    {
        if (lastHead is null ? frontier.Size != 0 : lastHead.TreeSize != frontier.Size || !lastHead.RootHash.AsSpan().SequenceEqual(frontier.Root()))
            throw new FormatException("The tree edge does not reproduce the last head's root.");
        // A head this host signed must carry its signature; a head of another host is linked to, not vouched for.
        if (lastHead is not null && lastHead.HostKeyFingerprint.AsSpan().SequenceEqual(_key.PublicKey.Fingerprint.Bytes) && !lastHead.VerifySignature(_key.PublicKey))
            throw new FormatException("The last head claims this host's key but its signature does not verify.");
        lock (_lock)
        {
            if (_opened || _nextIndex != 0) throw new InvalidOperationException("The session's log is already in use.");
            _opened = true;
            _frontier = frontier.Clone();
            _nextIndex = frontier.Size;
            _previousHead = lastHead?.Hash() ?? new byte[32];
        }
    }

    /// <summary>Adds a witness's leaf hash; returns its leaf index. Call <see cref="RequestHead"/> once the witness is on its way.</summary>
    public long Append(byte[] leafHash)
    {
        lock (_lock)
        {
            _opened = true;
            _pending.Add(leafHash);
            return _nextIndex++;
        }
    }

    /// <summary>Signs a head over everything appended so far, now or right after the signature in progress.</summary>
    public void RequestHead()
    {
        lock (_lock)
        {
            if (_signing || _pending.Count == 0) return;
            _signing = true;
        }
        _ = Task.Run(() => SignLoopAsync(force: false));
    }

    /// <summary>Re-signs the current head when nothing was signed for <paramref name="interval"/>.</summary>
    public void ResignIfIdle(TimeSpan interval)
    {
        lock (_lock)
        {
            if (_signing || Environment.TickCount64 - _lastSignedAt < (long)interval.TotalMilliseconds) return;
            _signing = true;
        }
        _ = Task.Run(() => SignLoopAsync(force: true));
    }

    private async Task SignLoopAsync(bool force)
    {
        try
        {
            while (true)
            {
                List<byte[]> batch;
                lock (_lock)
                {
                    if (_pending.Count == 0 && !force)
                    {
                        _signing = false;
                        return;
                    }
                    force = false;
                    if (_pending.Count <= HeadBatch.MaxLeaves)
                    {
                        batch = _pending;
                        _pending = [];
                    }
                    else
                    {
                        batch = _pending[..HeadBatch.MaxLeaves];
                        _pending.RemoveRange(0, HeadBatch.MaxLeaves);
                    }
                }
                var first = _frontier.Size;
                foreach (var leaf in batch) _frontier.Append(leaf);
                var signing = System.Diagnostics.Stopwatch.GetTimestamp();
                var head = new SignedTreeHead
                {
                    TreeSize = _frontier.Size,
                    RootHash = _frontier.Root(),
                    Timestamp = Witness.TruncateToMicros(DateTimeOffset.UtcNow),
                    HostKeyFingerprint = new byte[32],
                    PreviousHeadHash = _previousHead,
                }.SignWith(_key);
                ChannelMetrics.HeadSigned(signing);
                _previousHead = head.Hash();
                Volatile.Write(ref _lastSignedAt, Environment.TickCount64);
                var outgoing = new HeadBatch(head, first, batch);
                if (TamperHead is { } tamper)
                {
                    if (tamper(outgoing) is not { } tampered) continue;
                    outgoing = tampered;
                }
                await _publish(outgoing).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            lock (_lock) _signing = false;
            _failed(e);
        }
    }
}
