using Gateway.Contracts.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Channel.Diagnostics;

/// <summary>Security events of the channel. Never logs keys, secrets or payloads: only reasons, fingerprints and ids.</summary>
public static partial class ChannelLog
{
    [LoggerMessage(EventId = EventIds.HandshakeRejected, Level = LogLevel.Warning, Message = "CTP-96 security event: handshake rejected ({Reason}) with {Peer}: {Detail}")]
    public static partial void HandshakeRejected(ILogger logger, string reason, string peer, string detail);

    [LoggerMessage(EventId = EventIds.HandshakeRefused, Level = LogLevel.Debug, Message = "CTP-96 connection from {Peer} closed unanswered: handshake limits reached")]
    public static partial void HandshakeRefused(ILogger logger, string peer);

    [LoggerMessage(EventId = EventIds.ConnectionClosedOnViolation, Level = LogLevel.Warning, Message = "CTP-96 security event: connection closed ({Reason}) with {Peer}: {Detail}")]
    public static partial void ConnectionRejected(ILogger logger, string reason, string peer, string detail);

    [LoggerMessage(EventId = EventIds.WitnessRejected, Level = LogLevel.Warning, Message = "CTP-96 security event: witness rejected ({Reason}) for request {RequestId}")]
    public static partial void WitnessRejected(ILogger logger, string reason, string requestId);

    [LoggerMessage(EventId = EventIds.CallInterrupted, Level = LogLevel.Warning, Message = "CTP-96 call {RequestId} failed: connection lost ({Reason})")]
    public static partial void CallInterrupted(ILogger logger, string requestId, string reason);

    [LoggerMessage(EventId = EventIds.ConnectionEstablished, Level = LogLevel.Information, Message = "CTP-96 connection established with {Peer} ({Role})")]
    public static partial void Connected(ILogger logger, string peer, string role);

    [LoggerMessage(EventId = EventIds.ConnectionClosed, Level = LogLevel.Debug, Message = "CTP-96 connection with {Peer} closed ({Reason})")]
    public static partial void Closed(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = EventIds.ReconnectFailed, Level = LogLevel.Warning, Message = "CTP-96 reconnect to bridge host failed (attempt {Attempt}); next try in {DelayMs} ms: {Detail}")]
    public static partial void ReconnectFailed(ILogger logger, int attempt, long delayMs, string detail);

    [LoggerMessage(EventId = EventIds.HandlerFailed, Level = LogLevel.Error, Message = "CTP-96 bridge call {RequestId} ({Operation}) failed in the handler")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string requestId, string operation);

    /// <summary>A response body that failed at its source (the platform cut it) after its head went out: the platform's fault, not a bug.</summary>
    [LoggerMessage(EventId = EventIds.ResponseSourceFailed, Level = LogLevel.Warning, Message = "CTP-96 response body failed at its source ({Kind}); the stream was reset")]
    public static partial void ResponseSourceFailed(ILogger logger, string kind);

    [LoggerMessage(EventId = EventIds.StreamIdsExhausted, Level = LogLevel.Information, Message = "CTP-96 connection with {Peer} used its last stream id ({MaxStreamId}); new calls go to a new connection")]
    public static partial void StreamIdsExhausted(ILogger logger, string peer, uint maxStreamId);

    [LoggerMessage(EventId = EventIds.HeadRejected, Level = LogLevel.Warning, Message = "CTP-96 security event: signed tree head rejected ({Reason}) from {Peer}: {Detail}")]
    public static partial void HeadRejected(ILogger logger, string reason, string peer, string detail);

    [LoggerMessage(EventId = EventIds.HeadUncommittedOnLoss, Level = LogLevel.Warning, Message = "CTP-96 signed tree head of size {TreeSize} from {Peer} not committed: the connection ended before the WITNESS frame of leaf {LeafIndex} came; the calls it covers failed as lost")]
    public static partial void HeadUncommittedOnLoss(ILogger logger, long treeSize, string peer, long leafIndex);

    [LoggerMessage(EventId = EventIds.HeadSigningFailed, Level = LogLevel.Error, Message = "CTP-96 bridge host could not sign or send a tree head for {Peer}")]
    public static partial void HeadSigningFailed(ILogger logger, Exception exception, string peer);

    [LoggerMessage(EventId = EventIds.CallUnfinished, Level = LogLevel.Error, Message = "CTP-96 bridge host could not finish call {RequestId}; its stream is reset")]
    public static partial void CallUnfinished(ILogger logger, Exception exception, string requestId);
}
