using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Channel.Connections;
using Gateway.Channel.Diagnostics;
using Gateway.Channel.Framing;
using Gateway.Channel.Handshake;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.Errors;
using Gateway.Contracts.IO;
using Microsoft.Extensions.Logging;

namespace Gateway.Channel.Rpc;

public sealed class ChannelClientOptions
{
    public required ChannelOptions Channel { get; init; }
    /// <summary>Opens a fresh transport to the bridge host (TCP connect, or an in-memory pipe to an in-process host).</summary>
    public required Func<CancellationToken, Task<Stream>> Connect { get; init; }
    public IWitnessSink? Witnesses { get; init; }
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long after END_STREAM the WITNESS may take.</summary>
    public TimeSpan WitnessTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long a witness may wait for a signed tree head that covers it before the call fails (head-missing).</summary>
    public TimeSpan HeadTimeout { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// The gateway side of the channel: one multiplexed connection to a bridge host, re-dialled with exponential
/// backoff and jitter when it breaks. Every call is released only after its witness, the signed tree head that covers
/// it and its audit entry checked out (<see cref="SessionLog"/>).
/// </summary>
public sealed class ChannelClient(ChannelClientOptions options) : IAsyncDisposable
{
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly ILogger _log = options.Channel.LoggerFactory.CreateLogger("Gateway.Channel.Client");
    private Session? _current;
    private int _failures;
    // The back-off after a failed dial: since when (a timestamp of the channel's clock) and how long.
    private long _backoffFrom;
    private TimeSpan _backoff;
    // The SHA-256 of no body, which a bodiless call's witness names; only ever read.
    private static readonly Task<byte[]> EmptyBodyDigest = Task.FromResult(SHA256.HashData(ReadOnlySpan<byte>.Empty));
    private bool _disposed;

    /// <summary>The live connection, if any (tests and diagnostics).</summary>
    public ChannelConnection? Connection => _current?.Connection;

    /// <summary>The live session's witness log, if any (tests and diagnostics).</summary>
    public SessionLog? Log => _current?.Log;

    private sealed record Session(ChannelConnection Connection, SessionLog Log);

    /// <summary>
    /// Runs one call. <paramref name="expected"/> is what the operation's declaration says comes back; without it the
    /// host's <see cref="CallResponse.HasBody"/> decides (tests that speak the wire format directly).
    /// </summary>
    public async Task<ChannelCall> CallAsync(CallRequest request, Stream? requestBody, CancellationToken ct, ResponseBody? expected = null)
    {
        var session = await GetConnectionAsync(ct).ConfigureAwait(false);
        ChannelStream stream;
        try { stream = session.Connection.OpenStream(); }
        catch (ChannelProtocolException)
        {
            session = await GetConnectionAsync(ct).ConfigureAwait(false);
            stream = session.Connection.OpenStream();
        }
        return await CallOnAsync(session, stream, request, requestBody, ct, expected).ConfigureAwait(false);
    }

    private async Task<ChannelCall> CallOnAsync(Session session, ChannelStream stream, CallRequest request, Stream? requestBody, CancellationToken ct,
        ResponseBody? expected = null)
    {
        var connection = session.Connection;
        request = request with { HasBody = requestBody is not null };
        var requestBytes = JsonSerializer.SerializeToUtf8Bytes(request, CallJson.Options);
        Task<byte[]>? sending = null;
        var bodyFailed = false;
        try
        {
            if (requestBody is null)
            {
                // The call and its END in one write.
                await stream.SendFinalAsync(requestBytes, null, ct).ConfigureAwait(false);
                sending = EmptyBodyDigest;
            }
            else
            {
                await stream.SendMessageAsync(requestBytes, ct).ConfigureAwait(false);
                sending = SendBodyAsync(stream, requestBody, ct);
            }
            var reading = stream.ReadMessageAsync(ct).AsTask();
            // A request body that fails (client gone, digest mismatch) resets the stream, after which no
            // answer will come: surface the body's error instead of waiting for one.
            if (await Task.WhenAny(reading, sending).ConfigureAwait(false) == sending && sending.IsFaulted)
            {
                _ = reading.ContinueWith(static t => t.Exception, TaskScheduler.Default);
                bodyFailed = true;
                await sending.ConfigureAwait(false);
            }
            var responseBytes = await reading.ConfigureAwait(false);
            var requestDigest = await sending.ConfigureAwait(false);
            CallResponse response;
            try { response = CallResponseCodec.Decode(responseBytes); }
            catch (JsonException)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw new WitnessFailedException(WitnessFailure.Malformed, request.Id);
            }
            var headersDigest = HeadersDigest(requestBytes, responseBytes);
            var operation = request.Family + "." + request.Operation;
            var target = request.Instance + "/" + request.Target;
            var body = new WitnessedBodyStream(stream,
                responseDigest => new WitnessExpectation(request.Id, operation, target, response.Status, requestDigest, responseDigest, headersDigest, connection.TranscriptHash),
                session.Log, options.WitnessTimeout, _log, request.Id, holdLastByte: expected != ResponseBody.Live);
            var streamed = expected is { } declared ? declared != ResponseBody.None : response.HasBody;
            if (streamed && response.Ok) return new ChannelCall(response, body, () => body.Witness);

            // Buffered answer: nothing is released before the witness verified.
            await using (body.ConfigureAwait(false))
            {
                await body.CompleteAsync(ct).ConfigureAwait(false);
            }
            if (!response.Ok) throw ToException(response.Error);
            var witness = body.Witness;
            return new ChannelCall(response, Stream.Null, () => witness);
        }
        catch (Exception e) when (e is ChannelProtocolException or ChannelStreamResetException || (!bodyFailed && e is IOException))
        {
            if (sending is not null) await Observe(sending).ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
            var reason = e is ChannelProtocolException p ? p.Reason.ToString() : e is ChannelStreamResetException r ? "reset:" + r.Code : "io";
            ChannelLog.CallInterrupted(_log, request.Id, reason);
            // A RESET carries no witness, so its code and text are the host's unverified word: never a semantic answer.
            if (e is ChannelStreamResetException)
                throw new GatewayException(ErrorCode.Unavailable, "The bridge host abandoned the call without a witnessed answer.", e);
            throw ChannelLoss.Error(e);
        }
        catch
        {
            if (sending is not null) await Observe(sending).ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task Observe(Task task)
    {
        try { await task.ConfigureAwait(false); } catch (Exception) { /* the call's own error wins */ }
    }

    private static byte[] HeadersDigest(byte[] request, byte[] response)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(request);
        hash.AppendData(response);
        return hash.GetHashAndReset();
    }

    /// <summary>
    /// Sends the request body and returns its SHA-256, the digest the witness must name. A body that passes on, unchanged,
    /// the bytes of a channel response this gateway received and verified (<see cref="IDeliveredSha256"/>: a migration
    /// streaming a GET into a PUT) is not hashed again: its digest is that response's, taken when the body ended, and only
    /// for exactly the bytes sent. The host hashes what it received either way, so a byte changed on the way fails the
    /// witness check as before.
    /// </summary>
    private static async Task<byte[]> SendBodyAsync(ChannelStream stream, Stream body, CancellationToken ct)
    {
        using var hash = DeliveredSha256.Vouches(body) ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // Up to FramesPerWrite frames per read: a body that has that much ready goes out in one transport write.
        const int chunk = ChannelStream.FramesPerWrite * FrameHeader.MaxPayload;
        var buffer = ArrayPool<byte>.Shared.Rent(chunk);
        try
        {
            long sent = 0;
            while (true)
            {
                int n;
                try { n = await body.ReadAsync(buffer.AsMemory(0, chunk), ct).ConfigureAwait(false); }
                catch (Exception e) when (e is ChannelStreamResetException or ChannelProtocolException)
                {
                    // The body is another call's answer (a GET streamed into a PUT) and that call broke: its source failed,
                    // not this call's host. Said as such, and this call is abandoned (below) like any failed body.
                    throw new GatewayException(ErrorCode.Unavailable, "The request body failed at its source: the call it streams from was broken off.", e);
                }
                if (n == 0) break;
                hash?.AppendData(buffer, 0, n);
                sent += n;
                await stream.SendDataAsync(buffer.AsMemory(0, n), endStream: false, ct).ConfigureAwait(false);
            }
            var digest = hash?.GetHashAndReset() ?? (DeliveredSha256.Of(body) is { } delivered && delivered.Length == sent
                ? delivered.Sha256
                : throw new IOException("The request body's source did not vouch for the bytes sent."));
            await stream.SendEndAsync(ct).ConfigureAwait(false);
            return digest;
        }
        catch (Exception e) when (e is not (ChannelProtocolException or ChannelStreamResetException))
        {
            // The caller's body failed (client went away): abandon the call on the host too.
            await stream.ResetAsync("cancelled", "The request body failed.").ConfigureAwait(false);
            throw;
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    internal static GatewayException ToException(CallError? error)
    {
        if (error is null) return new GatewayException(ErrorCode.Internal, "The bridge call failed.");
        ErrorCodes.TryParseSlug(error.Code, out var code);
        return new GatewayException(code, error.Message)
        {
            RetryAfterSeconds = error.RetryAfterSeconds,
            Extensions = error.Extensions?.ToDictionary(kv => kv.Key, kv => FromJson(kv.Value)),
        };
    }

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => TextOrNull(e),
        JsonValueKind.Number when e.TryGetInt64(out var l) => l,
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => e.Clone(),
    };

    /// <summary>A host's extension string that is not valid UTF-8 is dropped instead of failing the error it came with.</summary>
    private static string? TextOrNull(JsonElement e)
    {
        try { return e.GetString(); }
        catch (InvalidOperationException) { return null; }
    }

    private async Task<Session> GetConnectionAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_current is { Connection.AcceptsNewStreams: true, Log.HasFailed: false } live) return live;
        await _connectLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_current is { Connection.AcceptsNewStreams: true, Log.HasFailed: false } raced) return raced;
            // A connection out of stream ids finishes its calls, then says GOAWAY; a broken one is simply closed (a session
            // whose log failed a check is broken even while its connection is still being closed off the read loop).
            if (_current is { Connection.IsOpen: true, Log.HasFailed: false } exhausted) _ = exhausted.Connection.DrainAndCloseAsync();
            else if (_current is { } dead)
            {
                await dead.Connection.DisposeAsync().ConfigureAwait(false);
                // Its last heads may still be checked (a lost connection's, bounded by the head timeout): the next session
                // starts from the log's checkpoint once no head of this one can be written any more.
                try { await dead.Log.Closed.WaitAsync(options.HeadTimeout + TimeSpan.FromSeconds(1), ct).ConfigureAwait(false); }
                catch (TimeoutException) { /* the log refuses a head that does not extend it; the drain is bounded anyway */ }
            }
            _current = null;
            var wait = _backoff - options.Channel.TimeProvider.GetElapsedTime(_backoffFrom);
            if (wait > TimeSpan.Zero)
                throw new GatewayException(ErrorCode.Unavailable, "The bridge host is unreachable; the gateway is backing off before it dials again.")
                { RetryAfterSeconds = (int)Math.Ceiling(wait.TotalSeconds) };
            try
            {
                var transport = await options.Connect(ct).ConfigureAwait(false);
                // A head waits for a witness that has not come at most the head bound: its calls fail on that bound anyway, and a
                // longer wait would only hold back every later head of the session (all calls fail, nothing new succeeds).
                var headWitnessWait = options.HeadTimeout < options.WitnessTimeout ? options.HeadTimeout : options.WitnessTimeout;
                var log = new SessionLog(options.Witnesses, options.HeadTimeout, _log, options.Channel.PeerLabel, headWitnessWait);
                var connection = await ChannelConnection.ConnectAsync(transport, options.Channel, ct, log).ConfigureAwait(false);
                log.Attach(connection.PeerKey, e => connection.Abort(new ChannelProtocolException(
                    ChannelCloseReason.ProtocolViolation, "The bridge host's witness log failed a check.", e)));
                _ = connection.Completion.ContinueWith(_ => log.Close(connection.CloseError), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                var session = new Session(connection, log);
                await OpenLogAsync(session, ct).ConfigureAwait(false);
                _current = session;
                _failures = 0;
                return session;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                _failures++;
                var backoff = Math.Min(options.MaxBackoff.TotalMilliseconds, options.InitialBackoff.TotalMilliseconds * Math.Pow(2, _failures - 1));
                var delay = (long)(backoff * (0.8 + 0.4 * Random.Shared.NextDouble()));
                _backoffFrom = options.Channel.TimeProvider.GetTimestamp();
                _backoff = TimeSpan.FromMilliseconds(delay);
                ChannelLog.ReconnectFailed(_log, _failures, delay, e.Message);
                var message = e switch
                {
                    HandshakeException { RemoteReason: { } theirs } => $"The bridge host refused the channel handshake ({theirs}).",
                    HandshakeException { Reason: HandshakeFailure.ConnectionClosed or HandshakeFailure.Timeout } h =>
                        $"The bridge host did not finish the channel handshake ({h.Reason}).",
                    // This side ended it: the host's key is not the pinned one, its signature failed, it answered garbage.
                    HandshakeException h => $"The gateway refused the bridge host in the channel handshake ({h.Reason}).",
                    _ => "The bridge host is unreachable.",
                };
                throw new GatewayException(ErrorCode.Unavailable, message, e) { RetryAfterSeconds = Math.Max(1, (int)Math.Ceiling(delay / 1000.0)) };
            }
        }
        finally { _connectLock.Release(); }
    }

    /// <summary>A gateway that already holds a log asks the host to continue it (same tree, chained heads).</summary>
    private async Task OpenLogAsync(Session session, CancellationToken ct)
    {
        if (session.Log.Start.Head is null) return;
        try
        {
            var request = LogOpenCall.Request(Guid.NewGuid().ToString("N"), session.Log.Start);
            await using var call = await CallOnAsync(session, session.Connection.OpenStream(), request, null, ct).ConfigureAwait(false);
        }
        catch
        {
            await session.Connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_current is { } c) await c.Connection.DisposeAsync().ConfigureAwait(false);
    }
}
