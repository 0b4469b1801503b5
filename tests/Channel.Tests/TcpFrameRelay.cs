using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Channel.Tests;

/// <summary>
/// A man in the middle on loopback TCP: accepts the gateway's connections, dials the bridge host for each, and runs a
/// <see cref="FrameRelay"/> between them, so frames in both directions pass through <see cref="Mutate"/>.
/// </summary>
internal sealed class TcpFrameRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<FrameRelay> _relays = [];
    private readonly Task _accepting;
    private readonly int _hostPort;

    public TcpFrameRelay(int hostPort)
    {
        _hostPort = hostPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>How many connections the gateway has opened through the relay.</summary>
    public int Connections => _relays.Count;

    /// <summary>Returns the frames to forward for each frame (none, the same, altered, more); may throw to cut the connection.</summary>
    public Func<RelayFrame, IEnumerable<byte[]>>? Mutate { get; set; }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var gateway = await _listener.AcceptTcpClientAsync(_stop.Token);
                var host = new TcpClient { NoDelay = true };
                gateway.NoDelay = true;
                await host.ConnectAsync(IPAddress.Loopback, _hostPort, _stop.Token);
                _relays.Add(new FrameRelay(gateway.GetStream(), host.GetStream(), f => Mutate?.Invoke(f) ?? [f.Bytes]));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        foreach (var relay in _relays) await relay.DisposeAsync();
    }
}
