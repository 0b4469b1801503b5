using Gateway.Channel.Framing;
using Gateway.S3Api.Routing;
using Xunit;

namespace Gateway.Tests.S3Api;

/// <summary>How the front door answers failures that are not S3 errors of their own.</summary>
public sealed class S3ErrorAnswerTests
{
    /// <summary>
    /// A store body that fails at its source before the answer started (s3rver cutting a response short did, in the
    /// s3walk helper's walk) is the store's fault: 503 ServiceUnavailable, as the REST facade answers it, not InternalError.
    /// </summary>
    [Fact]
    public async Task A_store_body_failing_before_the_answer_started_is_service_unavailable()
    {
        var reset = await S3Dispatcher.ToS3Async(new ChannelStreamResetException("source", "The response body failed at the source."), null);
        Assert.Equal(("ServiceUnavailable", 503), (reset.Code, reset.Status));
        var closed = await S3Dispatcher.ToS3Async(new ChannelProtocolException(ChannelCloseReason.PeerClosed, "The bridge host closed the channel."), null);
        Assert.Equal(("ServiceUnavailable", 503), (closed.Code, closed.Status));
    }
}
