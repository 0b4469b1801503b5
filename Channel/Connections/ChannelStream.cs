using System.Runtime.CompilerServices;
using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Threading.Channels;
using Gateway.Channel.Framing;

namespace Gateway.Channel.Connections;

/// <summary>
/// One multiplexed stream. Each direction carries MESSAGE frames (buffered, ≤ 16 MiB), then DATA frames ending
/// with END_STREAM, then (host → client only) one WITNESS. DATA is flow controlled: the peer accepts at most
/// <see cref="ChannelConnection.StreamWindow"/> unacknowledged frames; this side sends at most
/// <see cref="ChannelOptions.SendWindow"/> of them.
/// One task sends and one task receives at a time.
/// </summary>
public sealed class ChannelStream : IAsyncDisposable
{
    /// <summary>Credit goes back to the sender after this many DATA frames were consumed.</summary>
    internal const int CreditBatch = 32;

    private readonly ChannelConnection _connection;
    private readonly Channel<InboundFrame> _inbound = System.Threading.Channels.Channel.CreateUnbounded<InboundFrame>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = false });
    private readonly CreditGate _sendCredit;
    private readonly CancellationTokenSource _aborted = new();

    // Read-loop side.
    private int _unacknowledged;
    private long _queuedMessageBytes;
    private long _currentMessageBytes;

    // Consumer side.
    private InboundFrame _current;
    private int _currentOffset;
    private bool _hasCurrent;
    private bool _dataEnded;
    private int _consumedSinceGrant;
    private Exception? _failure;
    private bool _sentEnd;
    private bool _finished;

    internal ChannelStream(ChannelConnection connection, uint id)
    {
        _connection = connection;
        _sendCredit = new CreditGate(connection.Options.SendWindow);
        Id = id;
    }

    /// <summary>DATA frames this side sent that the peer has not credited yet.</summary>
    internal CreditGate SendCredit => _sendCredit;

    /// <summary>DATA frames received from the peer and not yet credited back (queued or being read).</summary>
    internal int ReceivedUncredited => Volatile.Read(ref _unacknowledged);

    /// <summary>The stream id; 0 on the client until the first frame went out.</summary>
    public uint Id { get; internal set; }
    public ChannelConnection Connection => _connection;

    /// <summary>Cancelled when the peer resets the stream or the connection closes.</summary>
    public CancellationToken Aborted => _aborted.Token;

    // ---------------- sending ----------------

    public async ValueTask SendMessageAsync(ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        if (message.Length > ChannelConnection.MaxMessageBytes)
            throw new InvalidOperationException($"A buffered message is at most {ChannelConnection.MaxMessageBytes} bytes.");
        do
        {
            var n = Math.Min(message.Length, FrameHeader.MaxPayload);
            var last = n == message.Length;
            await _connection.WriteFrameAsync(FrameType.Message, last ? FrameFlags.EndMessage : (byte)0, Id, message[..n], _connection.IsClient ? this : null, ct).ConfigureAwait(false);
            message = message[n..];
        }
        while (!message.IsEmpty);
    }

    /// <summary>The most DATA frames one transport write carries (<see cref="SendDataAsync"/>).</summary>
    internal const int FramesPerWrite = 4;

    /// <summary>Body bytes this side has handed to the transport in DATA frames.</summary>
    internal long DataBytesSent { get; private set; }

    /// <summary>
    /// Sends body bytes in frames of at most 64 KiB. The first frame of each write waits for credit; up to
    /// <see cref="FramesPerWrite"/> go out in one transport write while credit for them is there at once (one flush and
    /// one wake-up of the reader instead of one per frame). The frames on the wire are those one write each would produce.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendDataAsync(ReadOnlyMemory<byte> data, bool endStream, CancellationToken ct)
    {
        var ignoreCredit = _connection.Options.IgnoreSendCredit;
        do
        {
            if (!ignoreCredit) await _sendCredit.TakeAsync(ct).ConfigureAwait(false);
            var frames = 1;
            var length = Math.Min(data.Length, FrameHeader.MaxPayload);
            while (frames < FramesPerWrite && length < data.Length && (ignoreCredit || _sendCredit.TryTake()))
            {
                frames++;
                length += Math.Min(data.Length - length, FrameHeader.MaxPayload);
            }
            var last = length == data.Length;
            if (frames == 1)
            {
                await _connection.WriteFrameAsync(FrameType.Data, last && endStream ? FrameFlags.EndStream : (byte)0, Id, data[..length], ct).ConfigureAwait(false);
            }
            else
            {
                var batch = new OutgoingFrame[frames];
                for (int i = 0, at = 0; i < frames; i++)
                {
                    var n = Math.Min(length - at, FrameHeader.MaxPayload);
                    var flags = last && endStream && i == frames - 1 ? FrameFlags.EndStream : (byte)0;
                    batch[i] = new OutgoingFrame(FrameType.Data, flags, data.Slice(at, n));
                    at += n;
                }
                await _connection.WriteFramesAsync(batch, Id, null, ct).ConfigureAwait(false);
            }
            DataBytesSent += length;
            data = data[length..];
        }
        while (!data.IsEmpty);
        if (endStream) _sentEnd = true;
    }

    public ValueTask SendEndAsync(CancellationToken ct) => SendDataAsync(ReadOnlyMemory<byte>.Empty, endStream: true, ct);

    /// <summary>
    /// Takes the credit the END frame needs, ahead of <see cref="SendFinalAsync"/> with <c>creditTaken</c>: the bridge
    /// host waits for a slow reader here, before its witness gets a leaf, so no signed head can cover a leaf whose
    /// WITNESS frame is still held back by flow control.
    /// </summary>
    public ValueTask TakeEndCreditAsync(CancellationToken ct) =>
        _connection.Options.IgnoreSendCredit ? ValueTask.CompletedTask : _sendCredit.TakeAsync(ct);

    /// <summary>
    /// Ends this side of the stream in one transport write: an optional buffered message (when it fits one frame), END,
    /// and an optional witness. The same frames, in the same order, as the separate sends.
    /// </summary>
    public async ValueTask SendFinalAsync(ReadOnlyMemory<byte>? message, ReadOnlyMemory<byte>? witness, CancellationToken ct, bool creditTaken = false)
    {
        if (message is { } long_ && long_.Length > FrameHeader.MaxPayload)
        {
            await SendMessageAsync(long_, ct).ConfigureAwait(false);
            message = null;
        }
        if (!creditTaken) await TakeEndCreditAsync(ct).ConfigureAwait(false);
        var frames = new OutgoingFrame[(message is null ? 0 : 1) + 1 + (witness is null ? 0 : 1)];
        var at = 0;
        if (message is { } m) frames[at++] = new OutgoingFrame(FrameType.Message, FrameFlags.EndMessage, m);
        frames[at++] = new OutgoingFrame(FrameType.Data, FrameFlags.EndStream, ReadOnlyMemory<byte>.Empty);
        if (witness is { } w) frames[at] = new OutgoingFrame(FrameType.Witness, 0, w);
        await _connection.WriteFramesAsync(frames, Id, _connection.IsClient ? this : null, ct).ConfigureAwait(false);
        _sentEnd = true;
    }

    public ValueTask SendWitnessAsync(ReadOnlyMemory<byte> witness, CancellationToken ct) =>
        _connection.WriteFrameAsync(FrameType.Witness, 0, Id, witness, ct);

    /// <summary>Ends the stream abnormally; the peer's reads throw <see cref="ChannelStreamResetException"/>.</summary>
    public async ValueTask ResetAsync(string code, string message)
    {
        _finished = true;
        if (Id == 0) return; // never went out: nothing to reset
        try
        {
            var payload = Encoding.UTF8.GetBytes(code + "\n" + message);
            await _connection.WriteFrameAsync(FrameType.Reset, 0, Id, payload, CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The connection is gone; the peer learns of it that way.
        }
        _connection.Forget(this);
    }

    // ---------------- receiving (consumer side) ----------------

    /// <summary>Reads one whole buffered message.</summary>
    public async ValueTask<byte[]> ReadMessageAsync(CancellationToken ct)
    {
        var writer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var frame = await NextAsync(ct).ConfigureAwait(false);
            if (frame.Type != FrameType.Message)
            {
                frame.Return();
                throw Violation($"Expected a MESSAGE frame on stream {Id}, got {frame.Type}.");
            }
            writer.Write(frame.Payload);
            Interlocked.Add(ref _queuedMessageBytes, -frame.Length);
            frame.Return();
            if ((frame.Flags & FrameFlags.EndMessage) != 0) return writer.WrittenSpan.ToArray();
        }
    }

    /// <summary>
    /// Reads body bytes; 0 after END_STREAM. Waits only while nothing was read: once some bytes are in, DATA frames
    /// already queued fill the rest of <paramref name="destination"/>, so a reader behind the sender takes several frames
    /// per read (one write downstream instead of one per frame).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadDataAsync(Memory<byte> destination, CancellationToken ct)
    {
        var read = 0;
        while (true)
        {
            if (_hasCurrent)
            {
                var remaining = _current.Length - _currentOffset;
                if (remaining > 0)
                {
                    var n = Math.Min(remaining, destination.Length - read);
                    _current.Buffer.AsSpan(_currentOffset, n).CopyTo(destination.Span[read..]);
                    _currentOffset += n;
                    read += n;
                    if (_currentOffset == _current.Length) await ReleaseCurrentAsync(ct).ConfigureAwait(false);
                    if (read == destination.Length) return read;
                    continue;
                }
                await ReleaseCurrentAsync(ct).ConfigureAwait(false);
            }
            if (_dataEnded || read == destination.Length) return read;
            InboundFrame frame;
            if (read == 0) frame = await NextAsync(ct).ConfigureAwait(false);
            else if (_failure is null && _inbound.Reader.TryPeek(out var queued) && queued.Type == FrameType.Data && _inbound.Reader.TryRead(out frame)) { }
            else return read;
            if (frame.Type != FrameType.Data)
            {
                frame.Return();
                throw Violation($"Expected a DATA frame on stream {Id}, got {frame.Type}.");
            }
            if ((frame.Flags & FrameFlags.EndStream) != 0) _dataEnded = true;
            _current = frame;
            _currentOffset = 0;
            _hasCurrent = true;
        }
    }

    /// <summary>Reads the WITNESS that follows END_STREAM; throws when anything else (or nothing) comes.</summary>
    public async ValueTask<byte[]> ReadWitnessAsync(CancellationToken ct)
    {
        if (!_dataEnded) throw new InvalidOperationException("Read the body to its end before the witness.");
        var frame = await NextAsync(ct).ConfigureAwait(false);
        try
        {
            if (frame.Type != FrameType.Witness) throw Violation($"Expected a WITNESS frame on stream {Id}, got {frame.Type}.");
            _finished = true;
            return frame.Payload.ToArray();
        }
        finally { frame.Return(); }
    }

    /// <summary>Marks the exchange complete: disposing will not reset the stream.</summary>
    public void Complete() => _finished = true;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReleaseCurrentAsync(CancellationToken ct)
    {
        _current.Return();
        _hasCurrent = false;
        if (_dataEnded) return;
        if (++_consumedSinceGrant < CreditBatch) return;
        var grant = _consumedSinceGrant;
        _consumedSinceGrant = 0;
        // Lower the count before the grant leaves, so the sender's next frames can never find it too high.
        Interlocked.Add(ref _unacknowledged, -grant);
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)grant);
        await _connection.WriteFrameAsync(FrameType.WindowUpdate, 0, Id, payload, ct).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<InboundFrame> NextAsync(CancellationToken ct)
    {
        if (_failure is not null) throw _failure;
        InboundFrame frame;
        try
        {
            if (!_inbound.Reader.TryRead(out frame))
                frame = await _inbound.Reader.ReadAsync(ct).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw _failure ?? _connection.ClosedError();
        }
        if (frame.Type == FrameType.Reset)
        {
            var text = Encoding.UTF8.GetString(frame.Payload);
            frame.Return();
            var split = text.IndexOf('\n');
            _failure = new ChannelStreamResetException(split < 0 ? text : text[..split], split < 0 ? "The stream was reset." : text[(split + 1)..]);
            _finished = true;
            throw _failure;
        }
        return frame;
    }

    private ChannelProtocolException Violation(string message)
    {
        _failure = new ChannelProtocolException(ChannelCloseReason.ProtocolViolation, message);
        return (ChannelProtocolException)_failure;
    }

    // ---------------- read-loop side ----------------

    /// <summary>Called by the connection's read loop; throws to close the connection.</summary>
    internal void OnFrame(in InboundFrame frame)
    {
        switch (frame.Type)
        {
            case FrameType.Data:
                if (Interlocked.Increment(ref _unacknowledged) > ChannelConnection.StreamWindow)
                {
                    frame.Return();
                    throw new ChannelProtocolException(ChannelCloseReason.WindowExceeded,
                        $"Stream {Id} received more than {ChannelConnection.StreamWindow} unacknowledged DATA frames.");
                }
                break;
            case FrameType.Message:
                _currentMessageBytes += frame.Length;
                var queued = Interlocked.Add(ref _queuedMessageBytes, frame.Length);
                if (_currentMessageBytes > ChannelConnection.MaxMessageBytes || queued > ChannelConnection.MaxMessageBytes)
                {
                    frame.Return();
                    throw new ChannelProtocolException(ChannelCloseReason.MessageTooLarge,
                        $"A buffered message on stream {Id} exceeds {ChannelConnection.MaxMessageBytes} bytes.");
                }
                if ((frame.Flags & FrameFlags.EndMessage) != 0) _currentMessageBytes = 0;
                break;
            case FrameType.WindowUpdate:
                var ok = frame.Length == 4 && _sendCredit.Grant((int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(frame.Payload), int.MaxValue));
                frame.Return();
                if (!ok) throw new ChannelProtocolException(ChannelCloseReason.WindowExceeded, $"Stream {Id} received credit beyond its window.");
                return;
            case FrameType.Reset:
                _sendCredit.Fail(new ChannelStreamResetException("reset", "The peer reset the stream."));
                // Callbacks run off the read loop: a handler's cancellation work must not stall every other stream.
                _ = _aborted.CancelAsync();
                break;
        }
        _inbound.Writer.TryWrite(frame);
    }

    internal void Fail(Exception error)
    {
        _sendCredit.Fail(error);
        _inbound.Writer.TryComplete();
        try { _ = _aborted.CancelAsync(); } catch (ObjectDisposedException) { }
    }

    internal bool SentEnd => _sentEnd;

    public async ValueTask DisposeAsync()
    {
        if (!_finished && _connection.IsOpen) await ResetAsync("cancelled", "The caller abandoned the stream.").ConfigureAwait(false);
        _connection.Forget(this);
        if (_hasCurrent) { _current.Return(); _hasCurrent = false; }
        while (_inbound.Reader.TryRead(out var frame))
        {
            // A witness that came after a reset, before this side let go of the stream, still belongs in the audit log.
            if (frame.Type == FrameType.Witness) _connection.OnLateWitness(frame.Payload);
            frame.Return();
        }
    }
}
