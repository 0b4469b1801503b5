using Gateway.Channel.Framing;
using Gateway.Contracts.Errors;

namespace Gateway.Channel.Rpc;

/// <summary>
/// A call whose connection to the bridge host closed after the call was sent and before anything of its answer was
/// released (no answer yet, or an answer whose witness or covering head had not come). When
/// the connection ended the way a crash, restart or network cut ends it, the error is marked: the call may or may not
/// have run on the host and nothing of it reached the caller, so an idempotent call without a request body can be
/// sent again on a fresh connection. A connection closed because a frame failed a check (tampered, replayed,
/// reordered, oversized) is not marked: that call fails closed.
/// </summary>
public static class ChannelLoss
{
    private const string BeforeAnswerKey = "ctp96.lost-before-answer";

    public static GatewayException Error(Exception cause)
    {
        var error = new GatewayException(ErrorCode.Unavailable, "The connection to the bridge host was lost during the call.", cause);
        if (ChannelProtocolException.IsConnectionLoss(cause)) error.Data[BeforeAnswerKey] = true;
        return error;
    }

    /// <summary>The call was lost with its connection before anything of it was released, and not because a frame failed a check.</summary>
    public static bool BeforeAnswer(Exception e) => e.Data[BeforeAnswerKey] is true;
}
