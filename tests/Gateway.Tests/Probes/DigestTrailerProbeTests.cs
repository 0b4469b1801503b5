using System.Net.Sockets;
using System.Text;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>A Content-MD5 announced as a chunked trailer would only arrive after the body was stored, unchecked: refused.</summary>
public sealed class DigestTrailerProbeTests : IAsyncLifetime
{
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartAsync();
        (await _server.Client.PutAsync("v1/stores/local/buckets/trailers", null)).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_put_announcing_content_md5_as_a_trailer_is_400_and_stores_nothing()
    {
        var wrong = Convert.ToBase64String(new byte[16]);
        var head = new StringBuilder()
            .Append("PUT /v1/stores/local/buckets/trailers/objects/t.txt HTTP/1.1\r\n")
            .Append($"Host: {_server.BaseAddress.Host}:{_server.BaseAddress.Port}\r\nConnection: close\r\n");
        foreach (var h in _server.AuthHeaders) head.Append(h).Append("\r\n");
        head.Append("Transfer-Encoding: chunked\r\nTrailer: Content-MD5\r\n\r\n")
            .Append("5\r\nhello\r\n0\r\n").Append($"Content-MD5: {wrong}\r\n\r\n");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_server.BaseAddress.Host, _server.BaseAddress.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer);
        var text = Encoding.UTF8.GetString(answer.ToArray());

        Assert.StartsWith("HTTP/1.1 400", text);
        Assert.Contains("application/problem+json", text);
        using var read = await _server.Client.GetAsync("v1/stores/local/buckets/trailers/objects/t.txt");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, read.StatusCode);
    }
}
