using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Gateway.Channel.Diagnostics;
using Gateway.Channel.Framing;
using Gateway.Channel.Handshake;
using Gateway.Channel.Identity;
using Microsoft.Extensions.Logging;

namespace Gateway.Channel.Connections;

/// <summary>
/// A CTP-96 connection over any duplex <see cref="Stream"/> (in-memory pipe or TCP: the same code).
/// One read loop decrypts and dispatches frames; writers take a lock so sequence numbers go out in order.
/// Any protocol or authentication failure closes the whole connection and fails every open stream.
/// </summary>
public sealed class ChannelConnection : IAsyncDisposable
{
    public const int StreamWindow = 96;
    public const int MaxMessageBytes = 16 * 1024 * 1024;

    private readonly Stream _transport;
    private readonly FrameCipher _sendCipher;
    private readonly FrameReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<uint, ChannelStream> _streams = new();
    private readonly Channel<ChannelStream>? _accepted;
    private readonly CancellationTokenSource _closing = new();
    private readonly ILogger _log;
    private readonly Task _readLoop;
    private readonly Task _keepalive;
    private uint _nextStreamId = 1;
    private long _openedStreams;
    private int _exhausted;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private uint _lastAcceptedId;
    // Timestamps of Options.TimeProvider, compared only through GetElapsedTime (see Elapsed).
    private long _lastReceived;
    private long _lastSent;
    private int _closed;
    private ChannelProtocolException? _closeError;
    private readonly IWitnessLogFrames? _witnessLog;
    private readonly string _side;

    private ChannelConnection(Stream transport, HandshakeResult session, ChannelOptions options, bool isClient, IWitnessLogFrames? witnessLog)
    {
        _witnessLog = witnessLog;
        _transport = transport;
        Options = options;
        IsClient = isClient;
        TranscriptHash = session.TranscriptHash;
        PeerKey = session.PeerKey;
        _sendCipher = new FrameCipher(session.SendSecret);
        _reader = new FrameReader(transport, new FrameCipher(session.ReceiveSecret)) { KeyLimit = options.ReceiveKeyLimit };
        _log = options.LoggerFactory.CreateLogger("Gateway.Channel");
        _lastReceived = _lastSent = Options.TimeProvider.GetTimestamp();
        if (!isClient)
            _accepted = System.Threading.Channels.Channel.CreateUnbounded<ChannelStream>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _side = ChannelMetrics.Side(isClient);
        ChannelMetrics.Track(this, () => (_side, _streams.Count, IsOpen));
        _readLoop = Task.Run(ReadLoopAsync);
        _keepalive = Task.Run(KeepaliveAsync);
    }

    public ChannelOptions Options { get; }
    public bool IsClient { get; }
    /// <summary>SHA-256(ClientHello || ServerHello): names this session in witnesses.</summary>
    public byte[] TranscriptHash { get; }
    public HybridPublicKey PeerKey { get; }
    public bool IsOpen => Volatile.Read(ref _closed) == 0;
    /// <summary>False once the client used its last stream id (<see cref="ChannelOptions.MaxStreamId"/>): dial a new connection.</summary>
    public bool AcceptsNewStreams => IsOpen && Volatile.Read(ref _exhausted) == 0;
    /// <summary>Why the connection closed; null while open.</summary>
    public ChannelProtocolException? CloseError => _closeError;
    /// <summary>Completes when the connection has closed.</summary>
    public Task Completion => _readLoop;
    internal int SendKeyGeneration => _sendCipher.Generation;
    internal int ReceiveKeyGeneration => _reader.Cipher.Generation;
    internal int OpenStreamCount => _streams.Count;

    /// <summary>Runs the client side of the handshake and starts the connection.</summary>
    /// <param name="witnessLog">Receives HEAD frames and WITNESS frames of streams this side already gave up.</param>
    public static Task<ChannelConnection> ConnectAsync(Stream transport, ChannelOptions options, CancellationToken ct, IWitnessLogFrames? witnessLog = null) =>
        StartAsync(transport, options, isClient: true, ct, witnessLog);

    /// <summary>Runs the bridge-host side of the handshake and starts the connection.</summary>
    public static Task<ChannelConnection> AcceptAsync(Stream transport, ChannelOptions options, CancellationToken ct) =>
        StartAsync(transport, options, isClient: false, ct, null);

    private static async Task<ChannelConnection> StartAsync(Stream transport, ChannelOptions options, bool isClient, CancellationToken ct, IWitnessLogFrames? witnessLog)
    {
        var log = options.LoggerFactory.CreateLogger("Gateway.Channel");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.HandshakeTimeout);
        HandshakeResult session;
        try
        {
            session = isClient
                ? await ChannelHandshake.ClientAsync(transport, options.LocalKey, options.PinnedPeers, options.Entropy, timeout.Token).ConfigureAwait(false)
                : await ChannelHandshake.ServerAsync(transport, options.LocalKey, options.PinnedPeers, options.Entropy, timeout.Token, options.ClientHelloGuard).ConfigureAwait(false);
        }
        catch (HandshakeException e)
        {
            ChannelLog.HandshakeRejected(log, (e.RemoteReason ?? e.Reason).ToString(), options.PeerLabel, e.Message);
            ChannelMetrics.Handshake(isClient, (e.RemoteReason ?? e.Reason).ToString());
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            ChannelLog.HandshakeRejected(log, nameof(HandshakeFailure.Timeout), options.PeerLabel, "no answer in time");
            ChannelMetrics.Handshake(isClient, nameof(HandshakeFailure.Timeout));
            await transport.DisposeAsync().ConfigureAwait(false);
            throw new HandshakeException(HandshakeFailure.Timeout, "The handshake timed out.", inner: e);
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        ChannelMetrics.Handshake(isClient, null);
        ChannelLog.Connected(log, options.PeerLabel + " " + session.PeerKey.Fingerprint, isClient ? "client" : "bridge host");
        return new ChannelConnection(transport, session, options, isClient, witnessLog);
    }

    /// <summary>
    /// Opens a new client-initiated stream. Its id is assigned when its first frame is written (under the write lock),
    /// so ids reach the host in increasing order even when many calls open streams at once.
    /// </summary>
    public ChannelStream OpenStream()
    {
        if (!IsClient) throw new InvalidOperationException("Only the client side opens streams.");
        if (!IsOpen) throw ClosedError();
        // Ids are 1, 3, 5...: the n-th stream gets 2n - 1. Reserved here so ids can never pass the limit, whatever
        // the order in which opened streams send their first frame.
        if (Interlocked.Increment(ref _openedStreams) * 2 - 1 > Options.MaxStreamId)
        {
            if (Interlocked.Exchange(ref _exhausted, 1) == 0) ChannelLog.StreamIdsExhausted(_log, Options.PeerLabel, Options.MaxStreamId);
            if (_streams.IsEmpty) _drained.TrySetResult();
            throw new ChannelProtocolException(ChannelCloseReason.StreamIdsExhausted, "This connection used its last stream id; open a new one.");
        }
        return new ChannelStream(this, 0);
    }

    /// <summary>Client: once the stream ids ran out, waits for the calls still running, then says GOAWAY and closes.</summary>
    public async Task DrainAndCloseAsync()
    {
        await Task.WhenAny(_drained.Task, Completion).ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Bridge host: the next stream the client opened.</summary>
    public async ValueTask<ChannelStream?> AcceptStreamAsync(CancellationToken ct)
    {
        if (_accepted is null) throw new InvalidOperationException("Only the bridge-host side accepts streams.");
        try { return await _accepted.Reader.ReadAsync(ct).ConfigureAwait(false); }
        catch (ChannelClosedException) { return null; }
    }

    // ---------------- writing ----------------

    internal ValueTask WriteFrameAsync(FrameType type, byte flags, uint streamId, ReadOnlyMemory<byte> payload, CancellationToken ct) =>
        WriteFrameAsync(type, flags, streamId, payload, null, ct);

    internal ValueTask WriteFrameAsync(FrameType type, byte flags, uint streamId, ReadOnlyMemory<byte> payload, ChannelStream? opening, CancellationToken ct) =>
        WriteAsync(new OutgoingFrame(type, flags, payload), null, streamId, opening, ct);

    /// <summary>
    /// Seals several frames of one stream back to back and writes them in one transport write (one flush, one wake-up of
    /// the reader) instead of one each. The frames on the wire are exactly those separate writes would produce.
    /// </summary>
    internal ValueTask WriteFramesAsync(OutgoingFrame[] frames, uint streamId, ChannelStream? opening, CancellationToken ct) =>
        WriteAsync(default, frames, streamId, opening, ct);

    /// <summary>
    /// Writes <paramref name="many"/>, or <paramref name="single"/> when it is null (so a single frame needs no array),
    /// sealed back to back with a KEY_UPDATE after any frame that reaches the rekey interval, in one transport write.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteAsync(OutgoingFrame single, OutgoingFrame[]? many, uint streamId, ChannelStream? opening, CancellationToken ct)
    {
        if (!IsOpen) throw ClosedError();
        const int overhead = FrameHeader.Size + FrameHeader.TagSize;
        var count = many?.Length ?? 1;
        var capacity = 0;
        // Room for a KEY_UPDATE after every frame, in case the rekey interval falls inside the batch.
        for (var i = 0; i < count; i++) capacity += overhead + (many is null ? single : many[i]).Payload.Length + overhead;
        byte[]? buffer = null;
        var locked = false;
        try
        {
            await _writeLock.WaitAsync(ct).ConfigureAwait(false);
            locked = true;
            // Rented under the lock: writers queued behind it (every stream's sender) hold no buffer while they wait.
            buffer = FrameBuffers.For(capacity).Rent(capacity);
            if (!IsOpen) throw ClosedError();
            streamId = StreamIdFor(opening, streamId);
            var written = 0;
            var rekeys = 0;
            for (var i = 0; i < count; i++)
            {
                var f = many is null ? single : many[i];
                Seal(buffer.AsSpan(written), f.Type, f.Flags, streamId, f.Payload.Span);
                written += overhead + f.Payload.Length;
                ChannelMetrics.FrameSent(_side, overhead + f.Payload.Length);
                if (_sendCipher.Sequence < Options.RekeyAfterFrames) continue;
                Seal(buffer.AsSpan(written), FrameType.KeyUpdate, 0, 0, default);
                written += overhead;
                _sendCipher.Ratchet();
                rekeys++;
            }
            // Stamped when the write starts: the peer may answer before WriteAsync returns, and a stamp taken after
            // that answer would hide the next keepalive interval.
            var sentAt = Options.TimeProvider.GetTimestamp();
            // Only the connection's own token: a write cancelled half-way would desynchronise the framing.
            await _transport.WriteAsync(buffer.AsMemory(0, written), _closing.Token).ConfigureAwait(false);
            for (var i = 0; i < rekeys; i++)
            {
                ChannelMetrics.FrameSent(_side, overhead);
                ChannelMetrics.Rekey(_side, "sent");
            }
            Volatile.Write(ref _lastSent, sentAt);
        }
        catch (Exception e) when (IsSendFailure(e, ct))
        {
            throw SendFailed(e);
        }
        finally
        {
            if (buffer is not null) FrameBuffers.For(capacity).Return(buffer);
            if (locked) _writeLock.Release();
        }
    }

    /// <summary>Under the write lock: a client stream gets its id with its first frame; the id to write under.</summary>
    private uint StreamIdFor(ChannelStream? opening, uint streamId)
    {
        if (opening is { Id: 0 })
        {
            opening.Id = _nextStreamId;
            _nextStreamId += 2;
            _streams[opening.Id] = opening;
        }
        return opening?.Id ?? streamId;
    }

    private static bool IsSendFailure(Exception e, CancellationToken ct) =>
        e is IOException or ObjectDisposedException or OperationCanceledException && !ct.IsCancellationRequested && e is not ChannelProtocolException;

    /// <summary>A transport failure while sending closes the connection; the writer sees it closed.</summary>
    private Exception SendFailed(Exception e)
    {
        Abort(new ChannelProtocolException(ChannelCloseReason.TransportError, "The connection failed while sending.", e));
        return ClosedError();
    }

    private void Seal(Span<byte> span, FrameType type, byte flags, uint streamId, ReadOnlySpan<byte> payload)
    {
        var header = new FrameHeader(payload.Length, type, flags, streamId, _sendCipher.Sequence);
        header.Write(span);
        _sendCipher.Seal(span[..FrameHeader.Size], payload, span.Slice(FrameHeader.Size, payload.Length),
            span.Slice(FrameHeader.Size + payload.Length, FrameHeader.TagSize));
    }

    // ---------------- reading ----------------

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var next = await _reader.ReadAsync(_closing.Token).ConfigureAwait(false);
                if (next is not { } frame)
                {
                    Abort(new ChannelProtocolException(ChannelCloseReason.PeerClosed, "The peer closed the connection."));
                    return;
                }
                Volatile.Write(ref _lastReceived, Options.TimeProvider.GetTimestamp());
                ChannelMetrics.FrameReceived(_side, FrameHeader.Size + frame.Length + FrameHeader.TagSize);
                Dispatch(frame);
            }
        }
        catch (ChannelProtocolException e)
        {
            if (e.Reason is not (ChannelCloseReason.PeerClosed or ChannelCloseReason.Disposed))
                ChannelLog.ConnectionRejected(_log, e.Reason.ToString(), Options.PeerLabel, e.Message);
            Abort(e);
        }
        catch (Exception e)
        {
            Abort(new ChannelProtocolException(IsOpen ? ChannelCloseReason.TransportError : ChannelCloseReason.Disposed, "The connection failed while receiving.", e));
        }
    }

    private void Dispatch(InboundFrame frame)
    {
        if (frame.StreamId == 0)
        {
            switch (frame.Type)
            {
                case FrameType.Ping:
                    if ((frame.Flags & FrameFlags.Ack) == 0 && frame.Length == 8)
                    {
                        var echo = frame.Payload.ToArray();
                        _ = PongAsync(echo);
                    }
                    frame.Return();
                    return;
                case FrameType.KeyUpdate:
                    frame.Return();
                    _reader.Cipher.Ratchet();
                    ChannelMetrics.Rekey(_side, "received");
                    return;
                case FrameType.GoAway:
                    frame.Return();
                    throw new ChannelProtocolException(ChannelCloseReason.PeerClosed, "The peer is going away.");
                case FrameType.Head when IsClient && _witnessLog is not null:
                    try { _witnessLog.OnHead(frame.Payload); }
                    finally { frame.Return(); }
                    return;
                default:
                    frame.Return();
                    throw new ChannelProtocolException(ChannelCloseReason.ProtocolViolation, $"{frame.Type} frame on stream 0.");
            }
        }
        if (frame.Type is FrameType.Ping or FrameType.KeyUpdate or FrameType.GoAway or FrameType.Head)
        {
            frame.Return();
            throw new ChannelProtocolException(ChannelCloseReason.ProtocolViolation, $"{frame.Type} frame on stream {frame.StreamId}.");
        }
        if (_streams.TryGetValue(frame.StreamId, out var stream))
        {
            // The log learns of the witness now: a head covering its leaf may come before the call reads it.
            if (frame.Type == FrameType.Witness && IsClient) _witnessLog?.OnWitness(frame.Payload);
            stream.OnFrame(frame);
            return;
        }
        var clientInitiated = (frame.StreamId & 1) == 1;
        if (!IsClient && clientInitiated && frame.StreamId > _lastAcceptedId && frame.Type == FrameType.Message)
        {
            if (frame.StreamId > Options.MaxStreamId)
            {
                frame.Return();
                throw new ChannelProtocolException(ChannelCloseReason.StreamIdsExhausted, $"Stream id {frame.StreamId} is past the limit {Options.MaxStreamId}.");
            }
            _lastAcceptedId = frame.StreamId;
            stream = new ChannelStream(this, frame.StreamId);
            if (_streams.Count >= Options.MaxConcurrentStreams)
            {
                frame.Return();
                _ = stream.ResetAsync("unavailable", "The bridge host has too many calls in progress.").AsTask();
                return;
            }
            _streams[frame.StreamId] = stream;
            stream.OnFrame(frame);
            _accepted!.Writer.TryWrite(stream);
            return;
        }
        var known = IsClient ? clientInitiated && frame.StreamId < Volatile.Read(ref _nextStreamId) : frame.StreamId <= _lastAcceptedId;
        // The witness of a call this side abandoned still belongs in the audit log.
        if (known && frame.Type == FrameType.Witness) OnLateWitness(frame.Payload);
        frame.Return();
        // Late frames for a stream that already finished (credit, a reset) are expected; anything else is not.
        if (!known) throw new ChannelProtocolException(ChannelCloseReason.ProtocolViolation, $"Frame for stream {frame.StreamId}, which was never opened.");
    }

    /// <summary>The witness of a call that ended early (abandoned or reset); only the gateway side records witnesses.</summary>
    internal void OnLateWitness(ReadOnlySpan<byte> payload)
    {
        if (IsClient) _witnessLog?.OnLateWitness(payload);
    }

    private async Task PongAsync(byte[] payload)
    {
        try { await WriteFrameAsync(FrameType.Ping, FrameFlags.Ack, 0, payload, CancellationToken.None).ConfigureAwait(false); }
        catch (IOException) { }
    }

    /// <summary>
    /// The time between two timestamps of the connection's clock. Always from their difference: a timestamp converted on
    /// its own (as milliseconds since the clock's zero) goes through a double, which past 2^53 ticks rounds to 128 ticks, so
    /// each of two such values could be off by a different part of a millisecond and a keepalive interval that had passed
    /// exactly read as one millisecond short (a FakeTimeProvider near today's date).
    /// </summary>
    private TimeSpan Elapsed(long from, long to) => Options.TimeProvider.GetElapsedTime(from, to);

    private async Task KeepaliveAsync()
    {
        var tick = TimeSpan.FromMilliseconds(Math.Max(10, Math.Min(Options.KeepaliveInterval.TotalMilliseconds, Options.IdleTimeout.TotalMilliseconds) / 4));
        using var timer = new PeriodicTimer(tick, Options.TimeProvider);
        var ping = new byte[8];
        try
        {
            while (await timer.WaitForNextTickAsync(_closing.Token).ConfigureAwait(false))
            {
                var now = Options.TimeProvider.GetTimestamp();
                if (Elapsed(Volatile.Read(ref _lastReceived), now) > Options.IdleTimeout)
                {
                    var e = new ChannelProtocolException(ChannelCloseReason.IdleTimeout, $"Nothing received for {Options.IdleTimeout.TotalSeconds:0.#} s.");
                    ChannelLog.ConnectionRejected(_log, e.Reason.ToString(), Options.PeerLabel, e.Message);
                    Abort(e);
                    return;
                }
                if (Elapsed(Volatile.Read(ref _lastSent), now) >= Options.KeepaliveInterval)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(ping, now);
                    await WriteFrameAsync(FrameType.Ping, 0, 0, ping, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }
    }

    // ---------------- closing ----------------

    internal ChannelProtocolException ClosedError() =>
        _closeError ?? new ChannelProtocolException(ChannelCloseReason.Disposed, "The connection is closed.");

    internal void Forget(ChannelStream stream)
    {
        _streams.TryRemove(new KeyValuePair<uint, ChannelStream>(stream.Id, stream));
        if (Volatile.Read(ref _exhausted) != 0 && _streams.IsEmpty) _drained.TrySetResult();
    }

    /// <summary>Closes the connection at once; open streams fail with <paramref name="error"/>.</summary>
    public void Abort(ChannelProtocolException error)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        _closeError = error;
        ChannelLog.Closed(_log, Options.PeerLabel, error.Reason.ToString());
        _closing.Cancel();
        foreach (var stream in _streams.Values) stream.Fail(error);
        _accepted?.Writer.TryComplete();
        try { _transport.Dispose(); } catch (Exception) { /* already broken */ }
    }

    public async ValueTask DisposeAsync()
    {
        if (IsOpen)
        {
            try
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await WriteFrameAsync(FrameType.GoAway, 0, 0, default, quick.Token).ConfigureAwait(false);
            }
            // Best effort: the peer or the transport may be closing at the same moment (an in-memory pipe
            // then reports its writer as completed); disposal must go on either way.
            catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException
                or ObjectDisposedException or ChannelProtocolException) { }
        }
        Abort(new ChannelProtocolException(ChannelCloseReason.Disposed, "The connection was closed by this side."));
        try { await _readLoop.ConfigureAwait(false); } catch (Exception) { }
        try { await _keepalive.ConfigureAwait(false); } catch (Exception) { }
        _closing.Dispose();
    }
}
