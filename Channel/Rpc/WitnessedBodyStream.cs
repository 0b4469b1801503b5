using System.Runtime.CompilerServices;
using Gateway.Channel.Connections;
using Gateway.Channel.Diagnostics;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.IO;
using Microsoft.Extensions.Logging;

namespace Gateway.Channel.Rpc;

/// <summary>
/// A response body that is only complete once the witness verified: where a plain stream would return 0 at the end,
/// this one first reads the WITNESS, checks it against what this side saw, waits for the signed head that covers
/// its leaf and for its durable audit entry (<see cref="SessionLog"/>), and throws <see cref="WitnessFailedException"/>
/// instead of returning 0 when any of that fails. So an HTTP response copied from it is aborted, never completed,
/// when the witness is bad. Once every byte was delivered and the witness verified, it offers the body's SHA-256 (this
/// side's own, the one the witness was checked against) to a reader that needs it (<see cref="IDeliveredSha256"/>).
/// </summary>
internal sealed class WitnessedBodyStream(ChannelStream channelStream, Func<byte[], WitnessExpectation> expectation,
    SessionLog session, TimeSpan witnessTimeout, ILogger log, string requestId, bool holdLastByte = true) : ChannelBodyStream(channelStream), IDeliveredSha256, IUnsizedBody
{
    private bool _holdLastByte = holdLastByte;
    private Task<Witness>? _verification;
    private (byte[] Sha256, long Length)? _verified;
    private bool _drained;
    private readonly byte[] _lookahead = new byte[1];
    private bool _held;
    private byte _heldByte;

    public Witness? Witness { get; private set; }

    public bool VouchesForSha256 => true;

    /// <summary>Known once the witness verified and the last byte (held back until then) was delivered too.</summary>
    public (byte[] Sha256, long Length)? DeliveredSha256 => _held || _drained ? null : _verified;

    /// <summary>
    /// Holds the body's last byte back until the witness verified: with a Content-Length response, releasing every
    /// byte first would let an HTTP client see a complete body even though the answer is then refused. A live body
    /// (<paramref name="holdLastByte"/> false) has no length a client could check, so its bytes pass at once and only
    /// its end waits for the witness.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (buffer.IsEmpty) return 0;
        if (!_holdLastByte) return await base.ReadAsync(buffer, ct).ConfigureAwait(false);
        while (!_held)
        {
            var n = await base.ReadAsync(buffer, ct).ConfigureAwait(false);
            if (n == 0) return 0;
            _heldByte = buffer.Span[n - 1];
            _held = true;
            if (n > 1) return n - 1;
        }
        if (buffer.Length == 1)
        {
            var n = await base.ReadAsync(_lookahead, ct).ConfigureAwait(false);
            buffer.Span[0] = _heldByte;
            if (n == 0) _held = false;
            else _heldByte = _lookahead[0];
            return 1;
        }
        buffer.Span[0] = _heldByte;
        var read = await base.ReadAsync(buffer[1..], ct).ConfigureAwait(false);
        if (read == 0)
        {
            _held = false;
            return 1;
        }
        _heldByte = buffer.Span[read];
        return read;
    }

    /// <summary>Before the first read: the answer states no length, so its bytes pass as they come (only its end waits for the witness).</summary>
    public void PassBytesAsTheyCome()
    {
        if (!_held) _holdLastByte = false;
    }

    protected override async ValueTask<int> OnEndAsync(CancellationToken ct)
    {
        _verification ??= VerifyAsync(ct);
        Witness = await _verification.ConfigureAwait(false);
        return 0;
    }

    /// <summary>Reads the rest of the body and the witness (buffered responses).</summary>
    public async Task<Witness> CompleteAsync(CancellationToken ct)
    {
        _drained = true; // bytes discarded here were never delivered
        await DrainAsync(ct).ConfigureAwait(false);
        await OnEndAsync(ct).ConfigureAwait(false);
        return Witness!;
    }

    public override async ValueTask DisposeAsync()
    {
        await Source.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Source.DisposeAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    private async Task<Witness> VerifyAsync(CancellationToken ct)
    {
        byte[] payload;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(witnessTimeout);
            payload = await Source.ReadWitnessAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (IOException e) when (Framing.ChannelProtocolException.IsConnectionLoss(e))
        {
            // The host or the network went away before the witness: a lost call (503, resent when idempotent and still
            // unanswered), not a refused one. A host that withholds witnesses gains nothing by it: a buffered answer is
            // not released, and a streamed one (all but its held-back last byte gone out) is aborted, as before.
            throw Lost(e, "lost before its witness");
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            await Source.DisposeAsync().ConfigureAwait(false);
            ChannelLog.WitnessRejected(log, WitnessFailure.Missing.ToString(), requestId);
            ChannelMetrics.WitnessFailed(WitnessFailure.Missing.ToString());
            throw new WitnessFailedException(WitnessFailure.Missing, requestId);
        }
        finally
        {
            await Source.DisposeAsync().ConfigureAwait(false);
        }
        (long Index, byte[] Encoded, Witness Witness) frame;
        try { frame = Witness.DecodeFrame(payload); }
        catch (FormatException)
        {
            // The host may still have committed these bytes to its tree: record the leaf, so no leaf goes without an entry.
            if (Witness.SplitUndecodable(payload) is { } raw)
                _ = session.RecordAsync(raw.LeafIndex, raw.Encoded, Witness.Undecodable(requestId), WitnessRecord.Refused(WitnessFailure.Malformed));
            ChannelLog.WitnessRejected(log, WitnessFailure.Malformed.ToString(), requestId);
            ChannelMetrics.WitnessFailed(WitnessFailure.Malformed.ToString());
            throw new WitnessFailedException(WitnessFailure.Malformed, requestId);
        }
        var digest = Digest();
        if (WitnessVerifier.Check(frame.Witness, expectation(digest)) is { } failure)
        {
            // Refused, but the host's log holds it: the audit log records it with the reason once its head comes.
            ChannelLog.WitnessRejected(log, failure.ToString(), requestId);
            ChannelMetrics.WitnessFailed(failure.ToString());
            _ = session.RecordAsync(frame.Index, frame.Encoded, frame.Witness, WitnessRecord.Refused(failure));
            throw new WitnessFailedException(failure, requestId);
        }
        try
        {
            await session.SubmitAsync(frame.Index, frame.Encoded, frame.Witness, WitnessRecord.Released, release: true, ct).ConfigureAwait(false);
        }
        catch (IOException e) when (Framing.ChannelProtocolException.IsConnectionLoss(e))
        {
            // The session log fails a call with its connection's loss only when no head the host sent was left unchecked.
            throw Lost(e, "lost before the head over its witness");
        }
        _verified = (digest, BytesRead);
        ChannelMetrics.WitnessVerified();
        return frame.Witness;
    }

    /// <summary>
    /// The connection was lost before the witness or the head over it (<paramref name="when"/>). A buffered answer was not
    /// released: the call is lost (503, resent when idempotent). A streamed one was read through this stream, whose readers
    /// expect a stream's failure: the loss itself, so the response is aborted.
    /// </summary>
    private Exception Lost(IOException loss, string when)
    {
        ChannelLog.CallInterrupted(log, requestId, when);
        return _drained ? ChannelLoss.Error(loss) : loss;
    }
}
