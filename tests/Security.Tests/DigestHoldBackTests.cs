using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Security.Tests;

/// <summary>A REST upstream that records the raw bytes it receives and never answers: it sees exactly what the gateway sent.</summary>
public sealed class RecordingUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly MemoryStream _received = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public RecordingUpstream()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
    public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public byte[] Received() { lock (_received) return _received.ToArray(); }

    public async Task WaitForAsync(int bytes, TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        while (Received().Length < bytes)
        {
            Assert.True(DateTime.UtcNow < until, $"the upstream received only {Received().Length} of {bytes} bytes");
            await Task.Delay(10);
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            using var socket = await _listener.AcceptSocketAsync(_stop.Token);
            var buffer = new byte[64 * 1024];
            while (true)
            {
                int n;
                try { n = await socket.ReceiveAsync(buffer, _stop.Token); }
                catch (SocketException) { break; }
                if (n == 0) break;
                lock (_received) _received.Write(buffer, 0, n);
            }
        }
        catch (OperationCanceledException) { }
        finally { Closed.TrySetResult(); }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _accepting; } catch (Exception) { }
    }
}

/// <summary>Issue 12 item 3: a Content-Digest mismatch is found before the last bytes leave for the upstream.</summary>
public sealed class DigestHoldBackTests
{
    /// <summary>Writes the body in two parts and sends the second only once <see cref="ReleaseTail"/> completes.</summary>
    private sealed class TwoPartContent(byte[] head, byte[] tail, Task releaseTail) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(head);
            await stream.FlushAsync();
            await releaseTail;
            await stream.WriteAsync(tail);
            await stream.FlushAsync();
        }

        protected override bool TryComputeLength(out long length) { length = 0; return false; }
    }

    [Fact]
    public async Task A_chunked_signed_post_whose_body_mismatches_never_delivers_its_final_bytes_or_completes_upstream()
    {
        await using var upstream = new RecordingUpstream();
        await using var g = await SecuredGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Rest:Upstreams:recorder:BaseUrl"] = upstream.Url,
            ["Gateway:Rest:Upstreams:recorder:ReplayBufferBytes"] = "0",
        });
        var head = Encoding.ASCII.GetBytes(new string('a', 200_000));
        var tail = Encoding.ASCII.GetBytes(new string('Z', 1000));
        var signedBody = head.Concat(Encoding.ASCII.GetBytes(new string('Y', 1000))).ToArray();

        using var signing = new HttpRequestMessage(HttpMethod.Post, g.Url("v1/rest/recorder/ingest")) { Content = new ByteArrayContent(signedBody) };
        g.Secrets.Add(g.Ed.Sign(signing, body: signedBody));
        var releaseTail = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var request = new HttpRequestMessage(HttpMethod.Post, g.Url("v1/rest/recorder/ingest"))
        {
            Content = new TwoPartContent(head, tail, releaseTail.Task),
        };
        foreach (var h in signing.Content!.Headers.Where(h => h.Key != "Content-Length")) request.Content.Headers.TryAddWithoutValidation(h.Key, h.Value);
        foreach (var h in signing.Headers) request.Headers.TryAddWithoutValidation(h.Key, h.Value);

        using var client = g.Client();
        var sending = client.SendAsync(request);
        // The upstream is streaming the head already; only then does the (tampered) tail leave the caller.
        await upstream.WaitForAsync(100_000, TimeSpan.FromSeconds(30));
        releaseTail.SetResult();
        using var response = await sending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("bad-digest", await response.Content.ReadAsStringAsync());

        await upstream.Closed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var seen = Encoding.ASCII.GetString(upstream.Received());
        Assert.StartsWith("POST /ingest HTTP/1.1", seen);
        Assert.DoesNotContain("Z", seen.Split("\r\n\r\n", 2)[1]);
        Assert.False(seen.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal), "the upstream must not see a chunked body end normally");
    }
}
