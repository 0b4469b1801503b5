using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Bridges.Rest.Tests;

/// <summary>
/// A loopback upstream that keeps each request line as it came over the wire (the target exactly as escaped, which
/// WireMock.Net cannot show: Kestrel decodes the path) and counts requests as they arrive, a signal that an attempt
/// really reached it (WireMock.Net logs a request only once it has answered). Silent unless given an answer to send.
/// </summary>
sealed class RawUpstream : IAsyncDisposable
{
    readonly byte[]? _answer;
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stop = new();
    readonly Task _accepting;
    readonly List<Task> _connections = [];
    readonly Lock _lock = new();
    readonly List<string> _lines = [];
    TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="answer">The whole answer to each request (status line, headers, empty line); none: never answers.</param>
    public RawUpstream(string? answer = null)
    {
        _answer = answer is null ? null : Encoding.Latin1.GetBytes(answer);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public int Requests { get { lock (_lock) return _lines.Count; } }

    public IReadOnlyList<string> RequestLines { get { lock (_lock) return [.. _lines]; } }

    /// <summary>Waits until at least <paramref name="count"/> request lines arrived.</summary>
    public async Task WaitForRequestsAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task arrived;
            lock (_lock)
            {
                if (_lines.Count >= count) return;
                arrived = _arrived.Task;
            }
            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"the upstream received {Requests} requests, not {count}");
            try { await arrived.WaitAsync(left); } catch (TimeoutException) { }
        }
    }

    async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_lock) _connections.Add(ReadAsync(socket));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    async Task ReadAsync(Socket socket)
    {
        using var _ = socket;
        var buffer = new byte[16 * 1024];
        var seen = new StringBuilder();
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, _stop.Token);
                if (n == 0) return;
                seen.Append(Encoding.Latin1.GetString(buffer, 0, n));
                // Each request's head ends with an empty line; keep its request line as the head completes.
                int end;
                while ((end = seen.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0)
                {
                    var line = seen.ToString(0, seen.ToString().IndexOf("\r\n", StringComparison.Ordinal));
                    seen.Remove(0, end + 4);
                    TaskCompletionSource arrived;
                    lock (_lock)
                    {
                        _lines.Add(line);
                        arrived = _arrived;
                        _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                    arrived.TrySetResult();
                    if (_answer is not null) await socket.SendAsync(_answer, _stop.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] connections;
        lock (_lock) connections = [.. _connections];
        await Task.WhenAll(connections);
    }
}
