using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Bridges.Rest.Tests;

public enum Fault
{
    /// <summary>
    /// Reads the request, starts the status line, then closes the connection. (A close before any byte of answer
    /// is retried inside SocketsHttpHandler itself, which would blur the attempt count under test.)
    /// </summary>
    DropConnection,
    /// <summary>A 200 with a chunked body whose chunk size line is not hexadecimal, then close.</summary>
    MalformedChunk,
    /// <summary>A 200 promising 10000 bytes, sending 100, then close.</summary>
    TruncatedBody,
    /// <summary>Bytes that are not HTTP at all.</summary>
    NotHttp,
    /// <summary>Reads the request, then closes the connection without a byte of answer (a worker that died with it).</summary>
    NoAnswer,
}

/// <summary>
/// A loopback server that breaks HTTP at the connection level, which WireMock.Net (a well-behaved Kestrel app)
/// cannot do. Counts the requests it read.
/// </summary>
public sealed class FaultyServer : IDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stop = new();
    readonly Fault _fault;
    int _requests;

    public FaultyServer(Fault fault)
    {
        _fault = fault;
        _listener.Start();
        _ = AcceptLoop();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
    public int Requests => Volatile.Read(ref _requests);

    async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Serve(client);
        }
    }

    async Task Serve(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            await ReadHeadersAsync(stream);
            Interlocked.Increment(ref _requests);
            var answer = _fault switch
            {
                Fault.MalformedChunk => "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nhello\r\nZZ-not-hex\r\n",
                Fault.TruncatedBody => "HTTP/1.1 200 OK\r\nContent-Length: 10000\r\nContent-Type: text/plain\r\n\r\n" + new string('t', 100),
                Fault.NotHttp => "SSH-2.0-OpenSSH_9.2\r\n\r\n",
                Fault.DropConnection => "HTTP/1.1 2",
                _ => "",
            };
            if (answer.Length > 0) await stream.WriteAsync(Encoding.ASCII.GetBytes(answer));
            await stream.FlushAsync();
            client.Client.Shutdown(SocketShutdown.Both);
        }
        catch (IOException) { }
        catch (SocketException) { }
    }

    static async Task ReadHeadersAsync(NetworkStream stream)
    {
        var buffer = new byte[8192];
        var seen = new StringBuilder();
        while (!seen.ToString().Contains("\r\n\r\n"))
        {
            var n = await stream.ReadAsync(buffer);
            if (n == 0) throw new IOException("closed before the headers ended");
            seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
