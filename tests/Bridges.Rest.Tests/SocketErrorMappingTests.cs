using System.Net.Sockets;
using Gateway.Bridges.Resilience;
using Gateway.Contracts.Errors;

namespace Gateway.Bridges.Rest.Tests;

/// <summary>
/// An SDK can let a socket's own error out of HttpClient (the AWS SDK did, for a connection reset while it sent a
/// request): the pipeline must treat it as the connection failing (retried, unavailable), not as a bug in the bridge.
/// </summary>
public sealed class SocketErrorMappingTests
{
    [Fact]
    public async Task A_raw_socket_error_is_retried_then_answered_as_unavailable_naming_the_socket_error()
    {
        var bridge = BridgePipeline.Create("sockets", new ResilienceOptions
        {
            MaxRetryAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(1), MinimumThroughput = 100,
        });
        var attempts = 0;
        var error = await Assert.ThrowsAsync<GatewayException>(async () => await bridge.Pipeline.ExecuteCallAsync<int>(_ =>
        {
            attempts++;
            throw new SocketException((int)SocketError.NotConnected);
        }, idempotent: true, CancellationToken.None));

        Assert.Equal(3, attempts);
        Assert.Equal(ErrorCode.Unavailable, error.Code);
        Assert.Contains("could not be reached (connection failed (NotConnected))", error.Message, StringComparison.Ordinal);
        Assert.True(TransientFailures.IsTransient(new SocketException((int)SocketError.ConnectionReset)));
    }
}
