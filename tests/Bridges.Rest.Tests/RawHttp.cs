using System.Net.Sockets;
using System.Text;

namespace Gateway.Bridges.Rest.Tests;

/// <summary>Sends a request line exactly as written (no client-side normalisation) and reads the status code.</summary>
static class RawHttp
{
    public static async Task<int> GetStatusAsync(Uri server, string target)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        await using var stream = tcp.GetStream();
        var request = $"GET {target} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync() ?? throw new IOException("the gateway closed the connection without an answer");
        return int.Parse(statusLine.Split(' ')[1]);
    }
}
