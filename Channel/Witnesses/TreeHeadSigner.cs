using Gateway.Channel.Diagnostics;
using Gateway.Channel.Identity;

namespace Gateway.Channel.Witnesses;

/// <summary>
/// The bridge host's witness log for one session, signed like a database's group commit: a call appends its
/// witness's leaf hash and asks for a head; if fewer than <see cref="SignaturesInFlight"/> heads are being signed,
/// one is started at once (light load: every call gets its own head); otherwise new leaves queue and the next head
/// covers all of them (heavy load: one hybrid signature per batch). Heads are chained (each names the previous head's
/// hash) and re-signed when idle, so a stalled log shows in its timestamps. Memory stays O(log n): only the tree's
/// right edge is kept.
/// <para>
/// A head's body (batch, size, root, timestamp, previous head's hash) depends only on the previous head's body, not on
/// its signature, so bodies are fixed strictly in order and their signatures computed concurrently. Heads are
/// published in body order whatever order their signatures finish in; a failed signature or send breaks the log and
/// nothing after it is published.
/// </para>
/// </summary>
public sealed class TreeHeadSigner
{
    /// <summary>Two heads signed at once: the signature in progress and the next one. See docs/performance.md, session 8.</summary>
    public static int DefaultSignaturesInFlight => Math.Min(2, Environment.ProcessorCount);

    public const int MaxSignaturesInFlight = 16;

    // Order: _chainLock, then _lock. _chainLock fixes head bodies one after another; _lock guards everything else.
    private readonly Lock _chainLock = new();
    private readonly Lock _lock = new();
    private readonly HybridSigningKey _key;
    private readonly Func<HeadBatch, ValueTask> _publish;
    private readonly Action<Exception> _failed;
    private MerkleFrontier _frontier = new();
    private byte[] _previousHead = new byte[32];
    private List<byte[]> _pending = [];
    private long _nextIndex;
    private bool _opened;
    private bool _broken;
    private int _workers;
    private long _nextSequence;
    private long _nextToPublish;
    private bool _publishing;
    private readonly Dictionary<long, HeadBatch> _signed = [];
    private long _lastSignedAt = Environment.TickCount64;

    /// <param name="publish">Sends a signed head and its new leaves to the client (a HEAD frame); never called concurrently.</param>
    /// <param name="failed">Called once when signing or sending a head failed (the session cannot go on).</param>
    /// <param name="signaturesInFlight">How many heads may be signed at once (1 to <see cref="MaxSignaturesInFlight"/>; null: <see cref="DefaultSignaturesInFlight"/>).</param>
    public TreeHeadSigner(HybridSigningKey key, Func<HeadBatch, ValueTask> publish, Action<Exception> failed, int? signaturesInFlight = null)
    {
        var inFlight = signaturesInFlight ?? DefaultSignaturesInFlight;
        ArgumentOutOfRangeException.ThrowIfLessThan(inFlight, 1, nameof(signaturesInFlight));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inFlight, MaxSignaturesInFlight, nameof(signaturesInFlight));
        _key = key;
        _publish = publish;
        _failed = failed;
        SignaturesInFlight = inFlight;
    }

    /// <summary>The most heads signed at once, and the most signed heads waiting for their predecessor's publication.</summary>
    public int SignaturesInFlight { get; }

    /// <summary>Test hook: rewrites (or, returning null, withholds) a head batch before it is sent.</summary>
    internal Func<HeadBatch, HeadBatch?>? TamperHead { get; set; }

    /// <summary>Test hook: signs a head body in place of <see cref="SignedTreeHead.SignWith"/> (to delay or fail one signature).</summary>
    internal Func<SignedTreeHead, SignedTreeHead>? SignHead { get; set; }

    /// <summary>Signed heads held back until the heads before them are published (tests).</summary>
    internal int HeadsAwaitingPublication { get { lock (_lock) return _signed.Count; } }

    /// <summary>Signing tasks running (tests).</summary>
    internal int Workers { get { lock (_lock) return _workers; } }

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
        lock (_chainLock)
        lock (_lock)
        {
            if (_opened || _nextIndex != 0 || _nextSequence != 0) throw new InvalidOperationException("The session's log is already in use.");
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

    /// <summary>Signs a head over everything appended so far: now if a signing slot is free, else right after a signature in progress.</summary>
    public void RequestHead()
    {
        lock (_lock)
        {
            // A running worker takes pending leaves before it stops (it checks under this lock), so none is left behind.
            if (_broken || _pending.Count == 0 || _workers >= SignaturesInFlight) return;
            _workers++;
        }
        _ = Task.Run(() => SignLoopAsync(force: false));
    }

    /// <summary>Re-signs the current head when nothing was signed for <paramref name="interval"/> and no head is being signed.</summary>
    public void ResignIfIdle(TimeSpan interval)
    {
        lock (_lock)
        {
            if (_broken || _workers > 0 || Environment.TickCount64 - Volatile.Read(ref _lastSignedAt) < (long)interval.TotalMilliseconds) return;
            _workers++;
        }
        _ = Task.Run(() => SignLoopAsync(force: true));
    }

    private sealed record Body(long Sequence, long FirstIndex, List<byte[]> Leaves, SignedTreeHead Unsigned);

    private async Task SignLoopAsync(bool force)
    {
        try
        {
            while (NextBody(force) is { } body)
            {
                force = false;
                var signing = System.Diagnostics.Stopwatch.GetTimestamp();
                var head = SignHead is { } sign ? sign(body.Unsigned) : body.Unsigned.SignWith(_key);
                ChannelMetrics.HeadSigned(signing);
                Volatile.Write(ref _lastSignedAt, Environment.TickCount64);
                await PublishInOrderAsync(body.Sequence, new HeadBatch(head, body.FirstIndex, body.Leaves)).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            Break(e);
        }
    }

    /// <summary>
    /// Fixes the next head's body (takes the batch, advances the tree, chains the previous body's hash), or stops this
    /// worker: nothing to sign, the log is broken, or <see cref="SignaturesInFlight"/> heads are already signed or
    /// being signed but not yet published (the worker that publishes them comes back for the leaves).
    /// </summary>
    private Body? NextBody(bool force)
    {
        lock (_chainLock)
        {
            List<byte[]> batch;
            long sequence;
            lock (_lock)
            {
                if (_broken || (_pending.Count == 0 && !force) || _nextSequence - _nextToPublish >= SignaturesInFlight)
                {
                    _workers--;
                    return null;
                }
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
                sequence = _nextSequence++;
            }
            var first = _frontier.Size;
            foreach (var leaf in batch) _frontier.Append(leaf);
            var unsigned = new SignedTreeHead
            {
                TreeSize = _frontier.Size,
                RootHash = _frontier.Root(),
                Timestamp = Witness.TruncateToMicros(DateTimeOffset.UtcNow),
                HostKeyFingerprint = _key.PublicKey.Fingerprint.Bytes.ToArray(),
                PreviousHeadHash = _previousHead,
            };
            _previousHead = unsigned.Hash();
            return new Body(sequence, first, batch, unsigned);
        }
    }

    /// <summary>Hands a signed head over; the worker holding the next head in order publishes it and every one ready after it.</summary>
    private async ValueTask PublishInOrderAsync(long sequence, HeadBatch signed)
    {
        lock (_lock)
        {
            if (_broken) return;
            _signed.Add(sequence, signed);
            if (_publishing) return;
            _publishing = true;
        }
        while (true)
        {
            HeadBatch next;
            lock (_lock)
            {
                if (_broken || !_signed.Remove(_nextToPublish, out next!))
                {
                    _publishing = false;
                    return;
                }
                _nextToPublish++;
            }
            if (TamperHead is { } tamper)
            {
                if (tamper(next) is not { } tampered) continue;
                next = tampered;
            }
            await _publish(next).ConfigureAwait(false);
        }
    }

    /// <summary>A head could not be signed or sent: no later head may be published (it would chain past a hole).</summary>
    private void Break(Exception e)
    {
        lock (_lock)
        {
            _workers--;
            if (_broken) return;
            _broken = true;
            _signed.Clear();
        }
        _failed(e);
    }
}
