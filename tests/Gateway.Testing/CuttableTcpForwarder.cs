using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Testing;

/// <summary>
/// A loopback TCP forwarder in front of a real server (s3rver, Azurite) that a test can cut: <see cref="Cut"/> drops every
/// open connection and refuses (accepts and resets) each new one until <see cref="Heal"/>; <see cref="RefuseNext"/> drops
/// the open connections and refuses only the next few. The client sees what an unreachable store looks like, with no mock
/// in between: connections reset, then connected again to the real server.
/// </summary>
public sealed class CuttableTcpForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, (TcpClient Client, TcpClient Upstream)> _open = new();
    private readonly Lock _lock = new();
    private readonly Task _accepting;
    private readonly int _upstreamPort;
    private int _next;
    private bool _cut;
    private int _refuseNext;
    private int _refused;
    // Counts DropOpen calls: a connection accepted before a cut but registered in _open after it sees the count move and
    // drops itself, so no connection outlives a cut as a pooled keep-alive connection.
    private int _drops;

    /// <param name="upstream">The real server's URL (only its loopback port is used).</param>
    public CuttableTcpForwarder(Uri upstream)
    {
        _upstreamPort = upstream.Port;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>The upstream URL with the forwarder's port in place of the server's.</summary>
    public static string Through(string upstream, int port) => new UriBuilder(upstream) { Port = port }.Uri.ToString().TrimEnd('/');

    /// <summary>Connections refused so far.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Drops every open connection and refuses new ones until <see cref="Heal"/>.</summary>
    public void Cut()
    {
        lock (_lock) _cut = true;
        DropOpen();
    }

    public void Heal()
    {
        lock (_lock) { _cut = false; _refuseNext = 0; }
    }

    /// <summary>Drops every open connection and refuses the next <paramref name="count"/> new ones, then forwards again.</summary>
    public void RefuseNext(int count)
    {
        lock (_lock) _refuseNext = count;
        DropOpen();
    }

    private void DropOpen()
    {
        Interlocked.Increment(ref _drops);
        foreach (var id in _open.Keys)
        {
            if (_open.TryRemove(id, out var pair)) Reset(pair.Client, pair.Upstream);
        }
    }

    private bool Refusing()
    {
        lock (_lock)
        {
            if (_cut) return true;
            if (_refuseNext == 0) return false;
            _refuseNext--;
            return true;
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var drops = Volatile.Read(ref _drops);
                if (Refusing())
                {
                    Interlocked.Increment(ref _refused);
                    Reset(client, null);
                    continue;
                }
                _ = ForwardAsync(client, drops);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    private async Task ForwardAsync(TcpClient client, int dropsAtAccept)
    {
        var upstream = new TcpClient { NoDelay = true };
        var id = Interlocked.Increment(ref _next);
        try
        {
            client.NoDelay = true;
            await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
            _open[id] = (client, upstream);
            if (Interlocked.CompareExchange(ref _drops, 0, 0) != dropsAtAccept) return; // cut while connecting: dropped (finally)
            using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var (a, b) = (client.GetStream(), upstream.GetStream());
            await Task.WhenAny(a.CopyToAsync(b, done.Token), b.CopyToAsync(a, done.Token));
            await done.CancelAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException) { }
        finally
        {
            _open.TryRemove(id, out _);
            Reset(client, upstream);
        }
    }

    /// <summary>Closes with a reset (linger 0), as a dropped connection looks to its client.</summary>
    private static void Reset(TcpClient client, TcpClient? upstream)
    {
        foreach (var c in new[] { client, upstream })
        {
            if (c is null) continue;
            // A cut and the connection's own end can both reset it: once disposed, its Client is null.
            try { if (c.Client is { } socket) socket.LingerState = new LingerOption(true, 0); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
            c.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        DropOpen();
        _stop.Dispose();
    }
}
