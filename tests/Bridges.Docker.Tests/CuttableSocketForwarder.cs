using System.Collections.Concurrent;
using System.Net.Sockets;

namespace Gateway.Bridges.Docker.Tests;

/// <summary>
/// Forwards every connection made to a Unix socket of its own to the engine's socket, byte for byte, until
/// <see cref="CutAll"/> closes every connection it carries: an engine that hangs up in the middle of an answer.
/// </summary>
internal sealed class CuttableSocketForwarder : IAsyncDisposable
{
    readonly string _directory = Directory.CreateTempSubdirectory("gw-cut-").FullName;
    readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    readonly ConcurrentDictionary<Socket, byte> _open = new();
    readonly CancellationTokenSource _stop = new();
    readonly Task _accepting;

    public CuttableSocketForwarder(string targetPath)
    {
        Path = System.IO.Path.Combine(_directory, "engine.sock");
        _listener.Bind(new UnixDomainSocketEndPoint(Path));
        _listener.Listen();
        _accepting = AcceptAsync(targetPath);
    }

    public string Path { get; }

    async Task AcceptAsync(string targetPath)
    {
        try
        {
            while (true)
            {
                var inbound = await _listener.AcceptAsync(_stop.Token);
                _ = PipeAsync(inbound, targetPath);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    async Task PipeAsync(Socket inbound, string targetPath)
    {
        using var outbound = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _open[inbound] = 0;
        _open[outbound] = 0;
        try
        {
            await outbound.ConnectAsync(new UnixDomainSocketEndPoint(targetPath), _stop.Token);
            using var a = new NetworkStream(inbound, ownsSocket: false);
            using var b = new NetworkStream(outbound, ownsSocket: false);
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
        finally
        {
            _open.TryRemove(inbound, out _);
            _open.TryRemove(outbound, out _);
            inbound.Dispose();
        }
    }

    /// <summary>Closes every connection under way, both ways, at once.</summary>
    public void CutAll()
    {
        foreach (var socket in _open.Keys)
        {
            try { socket.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
            socket.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        CutAll();
        await _accepting;
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
