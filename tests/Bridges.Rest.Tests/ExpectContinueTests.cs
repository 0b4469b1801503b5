using System.Net.Sockets;
using System.Text;
using Gateway.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static Gateway.Bridges.Rest.Tests.RestTestKit;

namespace Gateway.Bridges.Rest.Tests;

/// <summary>
/// A caller that sends "Expect: 100-continue" waits for the gateway's word before it sends the body. A declared length
/// over the upstream's MaxRequestBodyBytes got "100 Continue" and then the 413 once the limit was crossed, so the
/// caller uploaded for nothing (session-43 REST probe). It is now the 413 at once, and the upstream sees nothing.
/// </summary>
public sealed class ExpectContinueTests : IAsyncLifetime
{
    private const long Limit = 1000;
    private readonly WireMockServer _upstream = WireMockServer.Start();
    private GatewayServer _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream.Given(Request.Create().WithPath("/upload").UsingPost()).RespondWith(Response.Create().WithStatusCode(201));
        _gateway = await GatewayServer.StartAsync(Upstream("up", _upstream.Url!, ("MaxRequestBodyBytes", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _upstream.Stop();
    }

    /// <summary>Sends the head of a POST with "Expect: 100-continue" and no body; returns the socket and the first answer's head.</summary>
    private async Task<(TcpClient Tcp, NetworkStream Stream, string Head)> ExpectAsync(long declared)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(_gateway.BaseAddress.Host, _gateway.BaseAddress.Port);
        var stream = tcp.GetStream();
        var head = new StringBuilder($"POST /v1/rest/up/upload HTTP/1.1\r\nHost: {_gateway.BaseAddress.Authority}\r\n");
        foreach (var h in _gateway.AuthHeaders) head.Append(h).Append("\r\n");
        head.Append($"Content-Type: application/octet-stream\r\nContent-Length: {declared}\r\nExpect: 100-continue\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        return (tcp, stream, await ReadHeadAsync(stream));
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = new List<byte>();
        var one = new byte[1];
        while (!Encoding.ASCII.GetString([.. read]).EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, deadline.Token) == 0) break;
            read.Add(one[0]);
        }
        return Encoding.ASCII.GetString([.. read]);
    }

    [Fact]
    public async Task A_declared_length_over_the_limit_gets_the_413_before_any_100_continue()
    {
        var (tcp, _, head) = await ExpectAsync(Limit + 1);
        using (tcp)
        {
            Assert.StartsWith("HTTP/1.1 413 ", head, StringComparison.Ordinal);
            Assert.Contains("application/problem+json", head, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Empty(_upstream.Requests("/upload"));
    }

    [Fact]
    public async Task A_declared_length_within_the_limit_gets_100_continue_and_then_the_upstreams_answer()
    {
        var (tcp, stream, head) = await ExpectAsync(Limit);
        using (tcp)
        {
            Assert.StartsWith("HTTP/1.1 100 ", head, StringComparison.Ordinal);
            await stream.WriteAsync(new byte[Limit]);
            Assert.StartsWith("HTTP/1.1 201 ", await ReadHeadAsync(stream), StringComparison.Ordinal);
        }
        Assert.Single(_upstream.Requests("/upload"));
    }
}
