using System.Net;
using System.Net.Sockets;

namespace Gateway.Channel.Transport;

/// <summary>TCP for CTP-96: Nagle off (frames are already batched), keepalive left to the channel's PINGs.</summary>
public static class TcpTransport
{
    public static async Task<Stream> ConnectAsync(string host, int port, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static TcpListener Listen(IPEndPoint endpoint)
    {
        var listener = new TcpListener(endpoint);
        listener.Server.NoDelay = true;
        listener.Start();
        return listener;
    }

    public static async Task<(Stream Stream, IPEndPoint Remote)> AcceptAsync(TcpListener listener, CancellationToken ct)
    {
        var socket = await listener.AcceptSocketAsync(ct).ConfigureAwait(false);
        socket.NoDelay = true;
        return (new NetworkStream(socket, ownsSocket: true), (IPEndPoint)socket.RemoteEndPoint!);
    }
}
