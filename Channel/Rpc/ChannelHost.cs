using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Channel.Connections;
using Gateway.Channel.Diagnostics;
using Gateway.Channel.Framing;
using Gateway.Channel.Handshake;
using Gateway.Channel.Transport;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.Errors;
using Microsoft.Extensions.Logging;

namespace Gateway.Channel.Rpc;

/// <summary>
/// The bridge host: accepts CTP-96 connections, runs each stream's call on the family's handler, streams the
/// answer back and closes every stream with a signed WITNESS.
/// </summary>
public sealed class ChannelHost
{
    private readonly ChannelOptions _options;
    private readonly Dictionary<string, IChannelCallHandler> _handlers;
    private readonly ILogger _log;

    public ChannelHost(ChannelOptions options, IEnumerable<IChannelCallHandler> handlers)
    {
        _options = options;
        _handlers = handlers.ToDictionary(h => h.Family, StringComparer.Ordinal);
        _log = options.LoggerFactory.CreateLogger("Gateway.Channel.Host");
    }

    /// <summary>When no head was signed for this long, the current one is re-signed (a stalled log shows in its timestamps).</summary>
    public TimeSpan IdleHeadInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Test hook: the host itself attests something else (the leaf is of the rewritten witness).</summary>
    internal Func<Witness, Witness>? RewriteWitness { get; set; }
    /// <summary>Test hook: the host itself commits (and sends) these bytes as the witness, e.g. an undecodable one.</summary>
    internal Func<byte[], byte[]>? RewriteWitnessBytes { get; set; }
    /// <summary>Test hook: the witness sent differs from the leaf in the tree (forged in transit).</summary>
    internal Func<Witness, Witness>? TamperWitness { get; set; }
    /// <summary>Test hook: rewrites or (null) withholds head batches.</summary>
    internal Func<HeadBatch, HeadBatch?>? TamperHead { get; set; }
    /// <summary>Test hook: end streams without a witness.</summary>
    internal bool OmitWitness { get; set; }
    /// <summary>Test hook: after a call's own WITNESS frame, more WITNESS frames on its stream (leaf index, witness bytes), given its leaf index and witness.</summary>
    internal Func<long, byte[], IEnumerable<(long LeafIndex, byte[] Witness)>>? ExtraWitnesses { get; set; }
    /// <summary>Test hook: runs before each response body chunk is sent.</summary>
    internal Func<long, ValueTask>? BeforeResponseChunk { get; set; }

    private ClientHelloGuard? _clientHelloGuard;

    /// <summary>Bounds on unauthenticated handshake work for connections accepted by <see cref="ListenAsync"/>.</summary>
    public HandshakeLimits HandshakeLimits { get; set; } = new();

    /// <summary>Handshakes on <paramref name="transport"/> and serves calls until the connection closes.</summary>
    public Task ServeConnectionAsync(Stream transport, string peerLabel, CancellationToken ct) =>
        ServeConnectionAsync(transport, WithPeer(peerLabel, _options.HandshakeTimeout), admission: null, ct);

    private async Task ServeConnectionAsync(Stream transport, ChannelOptions options, IDisposable? admission, CancellationToken ct)
    {
        var peerLabel = options.PeerLabel;
        ChannelConnection connection;
        try { connection = await ChannelConnection.AcceptAsync(transport, options, ct).ConfigureAwait(false); }
        catch (Exception e) when (e is HandshakeException or OperationCanceledException or IOException) { return; }
        finally { admission?.Dispose(); }
        var signer = new TreeHeadSigner(options.LocalKey,
            batch => connection.WriteFrameAsync(FrameType.Head, 0, 0, batch.Encode(), CancellationToken.None),
            e =>
            {
                if (e is not (IOException or ObjectDisposedException)) ChannelLog.HeadSigningFailed(_log, e, peerLabel);
                connection.Abort(new ChannelProtocolException(ChannelCloseReason.Disposed, "The bridge host could not sign or send a tree head.", e));
            })
        { TamperHead = b => TamperHead is { } tamper ? tamper(b) : b };
        using var serving = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var idle = ResignWhileIdleAsync(signer, serving.Token);
        await using (connection.ConfigureAwait(false))
        await using (ct.Register(() => connection.Abort(new ChannelProtocolException(ChannelCloseReason.Disposed, "The bridge host is stopping."))).ConfigureAwait(false))
        {
            try
            {
                while (await connection.AcceptStreamAsync(ct).ConfigureAwait(false) is { } stream)
                    _ = Task.Run(() => ServeStreamAsync(connection, signer, stream), CancellationToken.None);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The host is stopping; the registration above already closed the connection.
            }
            await serving.CancelAsync().ConfigureAwait(false);
            await idle.ConfigureAwait(false);
        }
    }

    private async Task ResignWhileIdleAsync(TreeHeadSigner signer, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(IdleHeadInterval / 4);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false)) signer.ResignIfIdle(IdleHeadInterval);
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Accepts TCP connections until <paramref name="ct"/> is cancelled.</summary>
    public async Task ListenAsync(TcpListener listener, CancellationToken ct)
    {
        if (HandshakeLimits.Problem() is { } problem) throw new InvalidOperationException("Handshake limits: " + problem);
        var deadline = HandshakeLimits.Deadline < _options.HandshakeTimeout ? HandshakeLimits.Deadline : _options.HandshakeTimeout;
        using var admission = new HandshakeAdmission(HandshakeLimits);
        var connections = new List<Task>();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var (stream, remote) = await TcpTransport.AcceptAsync(listener, ct).ConfigureAwait(false);
                connections.RemoveAll(t => t.IsCompleted);
                if (admission.TryAdmit(remote.Address) is not { } lease)
                {
                    ChannelLog.HandshakeRefused(_log, remote.ToString());
                    await stream.DisposeAsync().ConfigureAwait(false);
                    continue;
                }
                var options = WithPeer(remote.ToString(), deadline);
                connections.Add(Task.Run(() => ServeConnectionAsync(stream, options, lease, ct), CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        await Task.WhenAll(connections).ConfigureAwait(false);
    }

    private ChannelOptions WithPeer(string label, TimeSpan handshakeTimeout) => new()
    {
        LocalKey = _options.LocalKey,
        PinnedPeers = _options.PinnedPeers,
        HandshakeTimeout = handshakeTimeout,
        KeepaliveInterval = _options.KeepaliveInterval,
        IdleTimeout = _options.IdleTimeout,
        RekeyAfterFrames = _options.RekeyAfterFrames,
        MaxConcurrentStreams = _options.MaxConcurrentStreams,
        MaxStreamId = _options.MaxStreamId,
        LoggerFactory = _options.LoggerFactory,
        Entropy = _options.Entropy,
        ClientHelloGuard = _options.ClientHelloGuard ?? LazyInitializer.EnsureInitialized(ref _clientHelloGuard),
        PeerLabel = label,
        TimeProvider = _options.TimeProvider,
        IgnoreSendCredit = _options.IgnoreSendCredit,
        SendWindow = _options.SendWindow,
        ReceiveKeyLimit = _options.ReceiveKeyLimit,
    };

    private async Task ServeStreamAsync(ChannelConnection connection, TreeHeadSigner signer, ChannelStream stream)
    {
        var ct = stream.Aborted;
        var started = DateTimeOffset.UtcNow;
        using var headersHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var responseHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var requestBody = new ChannelBodyStream(stream);
        CallRequest? request = null;
        Activity? span = null;
        try
        {
            var requestBytes = await stream.ReadMessageAsync(ct).ConfigureAwait(false);
            headersHash.AppendData(requestBytes);
            CallResult? result = null;
            CallError? error = null;
            try
            {
                request = JsonSerializer.Deserialize<CallRequest>(requestBytes, CallJson.Options)
                    ?? throw new GatewayException(ErrorCode.BadRequest, "The bridge call is empty.");
                span = BridgeCallTracing.StartHost(request);
                if (request.Family == LogOpenCall.Family && request.Operation == LogOpenCall.Operation)
                    result = LogOpenCall.Handle(request, signer);
                else if (!_handlers.TryGetValue(request.Family, out var handler))
                    throw new GatewayException(ErrorCode.NotSupported, $"This bridge host has no '{request.Family}' bridge.");
                else
                    result = await handler.HandleAsync(request, requestBody, ct).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                error = new CallError(ErrorCode.BadRequest.Slug(), "The bridge call is not valid JSON.");
            }
            catch (GatewayException e)
            {
                error = ToError(e);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                if (e is ChannelProtocolException or ChannelStreamResetException) throw;
                ChannelLog.HandlerFailed(_log, e, request?.Id ?? "?", request?.Operation ?? "?");
                error = new CallError(ErrorCode.Internal.Slug(), "The bridge call failed.");
            }
            await requestBody.DrainAsync(ct).ConfigureAwait(false);
            if (error is not null) BridgeCallTracing.Failed(span, error.Code);

            await using var body = result?.Body;
            var response = error is null
                ? new CallResponse { Ok = true, Result = result?.Result, HasBody = body is not null }
                : new CallResponse { Ok = false, Error = error };
            var responseBytes = CallResponseCodec.Encode(response, error is null && result is not null ? result.ResultJson : default);
            headersHash.AppendData(responseBytes);
            var pumped = Pumped.Complete;
            if (body is not null)
            {
                await stream.SendMessageAsync(responseBytes, ct).ConfigureAwait(false);
                pumped = await PumpAsync(body, stream, connection, responseHash, ct).ConfigureAwait(false);
            }
            // When the caller went away mid-body, or the body failed at its source after the stream was reset, the
            // witness of what was sent still goes out: the gateway audits the call as abandoned or interrupted.

            // The END frame's credit is taken before the leaf exists: once the leaf is appended, a head may cover it at
            // any moment, and its WITNESS frame must then already be on its way, never waiting for a slow reader.
            var endCredit = false;
            if (pumped == Pumped.Complete)
            {
                try
                {
                    await stream.TakeEndCreditAsync(CancellationToken.None).ConfigureAwait(false);
                    endCredit = true;
                }
                catch (ChannelStreamResetException) { /* the caller reset the stream: the witness still goes, below */ }
            }

            var witness = new Witness
            {
                RequestId = request?.Id ?? "",
                Operation = request is null ? "" : request.Family + "." + request.Operation,
                Target = request is null ? "" : request.Instance + "/" + request.Target,
                Status = pumped == Pumped.SourceFailed ? Witness.InterruptedStatus : response.Status,
                RequestBodySha256 = requestBody.Digest(),
                ResponseBodySha256 = responseHash.GetCurrentHash(),
                HeadersSha256 = headersHash.GetCurrentHash(),
                StartedAt = Witness.TruncateToMicros(started),
                CompletedAt = Witness.TruncateToMicros(DateTimeOffset.UtcNow),
                TranscriptHash = connection.TranscriptHash,
            };
            if (RewriteWitness is { } rewrite) witness = rewrite(witness);
            var encoded = witness.Encode();
            if (RewriteWitnessBytes is { } rewriteBytes) encoded = rewriteBytes(encoded);
            var leafIndex = signer.Append(MerkleTree.LeafHash(encoded));
            try
            {
                if (TamperWitness is { } tamper) encoded = tamper(witness).Encode();
                stream.Complete();
                ReadOnlyMemory<byte>? frame = null;
                if (!OmitWitness) frame = Witness.EncodeFrame(leafIndex, encoded);
                var sent = false;
                if (endCredit)
                {
                    // END, and for an answer without a body the answer itself, go out with the witness in one write.
                    // (Spelled out, as `frame` above: `cond ? bytes : null` would turn null into an empty, present message.)
                    ReadOnlyMemory<byte>? answer = null;
                    if (body is null) answer = responseBytes;
                    try
                    {
                        await stream.SendFinalAsync(answer, frame, CancellationToken.None, creditTaken: true).ConfigureAwait(false);
                        sent = true;
                    }
                    catch (ChannelStreamResetException) { /* the caller reset the stream: the witness still goes, below */ }
                }
                // Sent even when the caller just reset the stream: its leaf is in the tree, so the gateway must record it.
                if (!sent && frame is { } late) await stream.SendWitnessAsync(late, CancellationToken.None).ConfigureAwait(false);
                if (ExtraWitnesses is { } extra)
                    foreach (var (index, bytes) in extra(leafIndex, encoded))
                        await stream.SendWitnessAsync(Witness.EncodeFrame(index, bytes), CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                // Group commit: signs now if no head is being signed, else the head after the current one covers it.
                signer.RequestHead();
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client reset the stream or the connection closed: nobody is left to answer.
        }
        catch (Exception e)
        {
            // A fault after the handler (encoding the answer or the witness) must not leave the caller waiting out its
            // witness timeout on a stream nobody will finish: reset it now, and say why in the log.
            ChannelLog.CallUnfinished(_log, e, request?.Id ?? "?");
            try { await stream.ResetAsync(ErrorCode.Internal.Slug(), "The bridge host could not finish the call.").ConfigureAwait(false); }
            catch (Exception reset) when (reset is IOException or ObjectDisposedException or ChannelProtocolException) { /* the connection is gone too */ }
        }
        finally
        {
            span?.Dispose();
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private enum Pumped { Complete, SourceFailed, CallerGone }

    private async Task<Pumped> PumpAsync(Stream body, ChannelStream stream, ChannelConnection connection, IncrementalHash hash, CancellationToken ct)
    {
        // Up to FramesPerWrite frames per read: a source that has that much ready goes out in one transport write.
        const int chunk = ChannelStream.FramesPerWrite * FrameHeader.MaxPayload;
        var buffer = ArrayPool<byte>.Shared.Rent(chunk);
        long sent = 0;
        try
        {
            while (true)
            {
                int n;
                try { n = await body.ReadAsync(buffer.AsMemory(0, chunk), ct).ConfigureAwait(false); }
                catch (OperationCanceledException) when (ct.IsCancellationRequested && connection.IsOpen) { return Pumped.CallerGone; }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // Headers are gone already: the only honest answer left is to break the stream; its witness follows.
                    ChannelLog.ResponseSourceFailed(_log, e.GetType().Name);
                    await stream.ResetAsync(ErrorCode.Unavailable.Slug(), "The response body failed at the source.").ConfigureAwait(false);
                    return Pumped.SourceFailed;
                }
                if (n == 0) return Pumped.Complete;
                if (BeforeResponseChunk is { } hook) await hook(sent).ConfigureAwait(false);
                var before = stream.DataBytesSent;
                try { await stream.SendDataAsync(buffer.AsMemory(0, n), endStream: false, ct).ConfigureAwait(false); }
                catch (Exception e) when (e is ChannelStreamResetException or OperationCanceledException && connection.IsOpen)
                {
                    // The caller reset the stream: the hash covers exactly the frames of this chunk that went out before.
                    hash.AppendData(buffer, 0, (int)(stream.DataBytesSent - before));
                    return Pumped.CallerGone;
                }
                hash.AppendData(buffer, 0, n);
                sent += n;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    internal static CallError ToError(GatewayException e) => new(
        e.Code.Slug(), e.Message, e.RetryAfterSeconds,
        e.Extensions?.ToDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToElement(kv.Value, CallJson.Options)));
}
