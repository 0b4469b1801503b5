using System.Net;
using System.Net.Sockets;

namespace Gateway.Bridges.Docker.Tests;

/// <summary>
/// Forwards every connection made to another loopback address (127.0.0.2) to a target endpoint, byte for byte, so an
/// engine can be reached under an address its certificate does not name.
/// </summary>
internal sealed class LoopbackForwarder : IAsyncDisposable
{
    readonly TcpListener _listener = new(IPAddress.Parse("127.0.0.2"), 0);
    readonly CancellationTokenSource _stop = new();
    readonly Task _accepting;

    public LoopbackForwarder(IPEndPoint target)
    {
        _listener.Start();
        _accepting = AcceptAsync(target);
    }

    public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndpoint;

    async Task AcceptAsync(IPEndPoint target)
    {
        try
        {
            while (true)
            {
                var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = PipeAsync(inbound, target);
            }
        }
        catch (OperationCanceledException) { }
    }

    async Task PipeAsync(TcpClient inbound, IPEndPoint target)
    {
        using (inbound)
        using (var outbound = new TcpClient())
        {
            try
            {
                await outbound.ConnectAsync(target, _stop.Token);
                await Task.WhenAny(
                    inbound.GetStream().CopyToAsync(outbound.GetStream(), _stop.Token),
                    outbound.GetStream().CopyToAsync(inbound.GetStream(), _stop.Token));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
