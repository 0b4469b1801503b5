using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>
/// Methods are case-sensitive (RFC 9110 §9.1), and Kestrel reads <c>head</c> as a method of its own (hand probe,
/// 2026-12-05): routed as HEAD it was a bare 500, <c>delete</c> deleted and <c>get</c> read. Each is now the 405 with
/// <c>Allow</c> that any method the route lacks gets, and changes nothing.
/// </summary>
public sealed class MethodCaseProbeTests : IAsyncLifetime
{
    private const string ObjectPath = "/v1/stores/local/buckets/methods/objects/kept.txt";
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await GatewayServer.StartAsync();
        (await _server.Client.PutAsync("v1/stores/local/buckets/methods", null)).EnsureSuccessStatusCode();
        (await _server.Client.PutAsync(ObjectPath[1..], new StringContent("kept"))).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<string> SendAsync(string method, string body)
    {
        var head = new StringBuilder()
            .Append($"{method} {ObjectPath} HTTP/1.1\r\n")
            .Append($"Host: {_server.BaseAddress.Host}:{_server.BaseAddress.Port}\r\nConnection: close\r\n");
        foreach (var h in _server.AuthHeaders) head.Append(h).Append("\r\n");
        head.Append($"Content-Length: {body.Length}\r\n\r\n").Append(body);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_server.BaseAddress.Host, _server.BaseAddress.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer);
        return Encoding.UTF8.GetString(answer.ToArray());
    }

    [Theory]
    [InlineData("head", "")]
    [InlineData("get", "")]
    [InlineData("delete", "")]
    [InlineData("Delete", "")]
    [InlineData("put", "replaced")]
    public async Task A_method_in_another_case_is_405_with_allow_and_changes_nothing(string method, string body)
    {
        var text = await SendAsync(method, body);

        Assert.True(text.StartsWith("HTTP/1.1 405", StringComparison.Ordinal), text);
        Assert.Contains("Allow: GET, HEAD, PUT, DELETE, OPTIONS", text);
        Assert.Contains("application/problem+json", text);
        using var read = await _server.Client.GetAsync(ObjectPath[1..]);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("kept", await read.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_methods_in_their_own_case_still_answer()
    {
        Assert.StartsWith("HTTP/1.1 200", await SendAsync("HEAD", ""));
        Assert.StartsWith("HTTP/1.1 200", await SendAsync("GET", ""));
    }
}
