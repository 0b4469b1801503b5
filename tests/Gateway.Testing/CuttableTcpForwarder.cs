using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Testing;

/// <summary>
/// A loopback TCP forwarder in front of a real server (s3rver, Azurite) that a test can cut: <see cref="Cut"/> drops every
/// open connection and refuses (accepts and resets) each new one until <see cref="Heal"/>; <see cref="RefuseNext"/> drops
/// the open connections and refuses only the next few. The client sees what an unreachable store looks like, with no mock
/// in between: connections reset, then connected again to the real server. <see cref="LoseAnswers"/> lets chosen requests
/// reach the server whole and drops the connection when their answer starts to come back: the server did the work (a
/// write stored) and the client never learns it.
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
    private Func<string, string, bool>? _loseAnswerTo;
    private int _answersToLose;
    private int _lost;
    private readonly ConcurrentQueue<(string Method, string Target, bool AnswerLost)> _requests = new();

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

    /// <summary>Every request forwarded so far, in the order each began: method, request target, and whether its answer was to be lost.</summary>
    public IReadOnlyList<(string Method, string Target, bool AnswerLost)> Requests => [.. _requests];

    /// <summary>Answers dropped so far by <see cref="LoseAnswers"/>.</summary>
    public int Lost => Volatile.Read(ref _lost);

    /// <summary>
    /// For the next <paramref name="count"/> requests that <paramref name="matches"/> (given the method and the request target,
    /// the path with its query, as sent), the request goes to the server whole and the connection is reset when the server's
    /// final answer starts (interim 1xx answers, such as 100 Continue, pass): the server has finished the request, the client
    /// sees a dropped connection. Requests are told apart on a connection by their order (HTTP/1.1 without pipelining, as
    /// HttpClient sends them): the first bytes a client sends after an answer started begin its next request.
    /// </summary>
    public void LoseAnswers(int count, Func<string, string, bool> matches)
    {
        lock (_lock) { _answersToLose = count; _loseAnswerTo = matches; }
    }

    /// <summary>Whether the answer to a request with this request line is to be lost; counts it if so.</summary>
    private bool LosesAnswerTo(string method, string target)
    {
        lock (_lock)
        {
            if (_answersToLose == 0 || _loseAnswerTo is null || !_loseAnswerTo(method, target)) return false;
            _answersToLose--;
            return true;
        }
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
            var exchange = new Exchange();
            await Task.WhenAny(RequestsAsync(a, b, exchange, done.Token), AnswersAsync(b, a, exchange, done.Token));
            await done.CancelAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException) { }
        finally
        {
            _open.TryRemove(id, out _);
            Reset(client, upstream);
        }
    }

    /// <summary>Where one connection is: whether the client's next bytes begin a request, and whether this request's answer is lost.</summary>
    private sealed class Exchange
    {
        public volatile bool NextBytesBeginRequest = true;
        public volatile bool LoseAnswer;
        public volatile bool AwaitingStatus = true;
    }

    private const int MaxLineBytes = 16 * 1024;

    /// <summary>Client to server: each request's first line is read (to decide whether its answer is lost) before any of it is sent on.</summary>
    private async Task RequestsAsync(NetworkStream from, NetworkStream to, Exchange exchange, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await from.ReadAsync(buffer, ct)) > 0)
        {
            if (exchange.NextBytesBeginRequest)
            {
                exchange.NextBytesBeginRequest = false;
                var line = new MemoryStream();
                line.Write(buffer, 0, n);
                while (Array.IndexOf(line.GetBuffer(), (byte)'\n', 0, (int)line.Length) < 0 && line.Length < MaxLineBytes
                    && (n = await from.ReadAsync(buffer, ct)) > 0)
                    line.Write(buffer, 0, n);
                var text = System.Text.Encoding.ASCII.GetString(line.GetBuffer(), 0, (int)Math.Min(line.Length, MaxLineBytes));
                var parts = text[..Math.Max(0, text.IndexOf('\r', StringComparison.Ordinal))].Split(' ');
                exchange.LoseAnswer = parts.Length == 3 && LosesAnswerTo(parts[0], parts[1]);
                _requests.Enqueue((parts[0], parts.Length == 3 ? parts[1] : "", exchange.LoseAnswer));
                exchange.AwaitingStatus = true; // the client read the last answer whole before it sent this request
                await to.WriteAsync(line.GetBuffer().AsMemory(0, (int)line.Length), ct);
                continue;
            }
            await to.WriteAsync(buffer.AsMemory(0, n), ct);
        }
    }

    /// <summary>
    /// Server to client: the start of each answer is read up to its status line; a final answer to a request whose answer is
    /// lost resets the connection (returns) before a byte of it is sent on.
    /// </summary>
    private async Task AnswersAsync(NetworkStream from, NetworkStream to, Exchange exchange, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        var head = new MemoryStream(); // bytes of an answer whose status line (or, for a 1xx, whose end) is not yet seen
        int n;
        while ((n = await from.ReadAsync(buffer, ct)) > 0)
        {
            if (!exchange.AwaitingStatus)
            {
                await to.WriteAsync(buffer.AsMemory(0, n), ct);
                continue;
            }
            head.Write(buffer, 0, n);
            while (exchange.AwaitingStatus)
            {
                var (lineEnd, interim, interimEnd) = StatusOf(head);
                if (lineEnd < 0) break;
                if (!interim)
                {
                    if (exchange.LoseAnswer)
                    {
                        Interlocked.Increment(ref _lost);
                        return;
                    }
                    exchange.AwaitingStatus = false;
                    // The next bytes from the client begin its next request (set before the answer reaches it).
                    exchange.NextBytesBeginRequest = true;
                    await to.WriteAsync(head.GetBuffer().AsMemory(0, (int)head.Length), ct);
                    head.SetLength(0);
                    break;
                }
                if (interimEnd < 0) break;
                await to.WriteAsync(head.GetBuffer().AsMemory(0, interimEnd), ct);
                var rest = head.GetBuffer().AsSpan(interimEnd, (int)head.Length - interimEnd).ToArray();
                head.SetLength(0);
                head.Write(rest);
            }
        }
    }

    /// <summary>Where the status line of the answer in <paramref name="head"/> ends, whether it is an interim (1xx) one, and where an interim one ends.</summary>
    private static (int LineEnd, bool Interim, int InterimEnd) StatusOf(MemoryStream head)
    {
        var bytes = head.GetBuffer().AsSpan(0, (int)head.Length);
        var lineEnd = bytes.IndexOf("\r\n"u8);
        var interim = lineEnd > 9 && bytes[9] == (byte)'1'; // "HTTP/1.1 1xx"
        var end = bytes.IndexOf("\r\n\r\n"u8);
        return (lineEnd, interim, end < 0 ? -1 : end + 4);
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
