using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Bridges.Resilience;
using Gateway.Contracts.Errors;
using k8s;

namespace Gateway.Bridges.Kubernetes.Tests;

/// <summary>
/// A pod delete reaches the API server once, even when the connection it went out on is dropped before an answer.
/// A black-box probe (session 42) found .NET's HTTP handler sending it again on another connection (it resends a
/// request without a body whose pooled connection fails before any answer), so a delete that worked came back 404.
/// </summary>
public sealed class PodDeleteResendTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("gw-kube-").FullName;
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    int _deletes;

    public PodDeleteResendTests() => _listener.Start();

    public void Dispose()
    {
        _listener.Stop();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>An API server that answers a GET with a pod (keeping the connection) and drops the connection of any other request unanswered.</summary>
    async Task ServeAsync(CancellationToken ct)
    {
        var pod = await File.ReadAllBytesAsync(KubeApiServer.Fixture("pod-web.json"), ct);
        while (!ct.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(ct);
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    var stream = client.GetStream();
                    while (await ReadRequestAsync(stream, ct) is { } method)
                    {
                        if (method != "GET")
                        {
                            Interlocked.Increment(ref _deletes);
                            return;
                        }
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {pod.Length}\r\n\r\n"), ct);
                        await stream.WriteAsync(pod, ct);
                    }
                }
            }, ct);
        }
    }

    /// <summary>The method of the next request on the connection, its headers and body read; null when the client closed it.</summary>
    static async Task<string?> ReadRequestAsync(NetworkStream stream, CancellationToken ct)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
        {
            if (await stream.ReadAsync(one, ct) == 0) return null;
            head.Add(one[0]);
        }
        var text = Encoding.ASCII.GetString([.. head]);
        var length = text.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } line
            ? int.Parse(line[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture) : 0;
        if (length > 0) await stream.ReadExactlyAsync(new byte[length], ct);
        return text[..text.IndexOf(' ', StringComparison.Ordinal)];
    }

    [Fact]
    public async Task A_delete_whose_connection_drops_before_an_answer_is_sent_once()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var serving = ServeAsync(stop.Token);
        var url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeApiServer.WriteKubeConfig(_dir, url));
        var pipeline = BridgePipeline.Build("test", new ResilienceOptions { BaseDelay = TimeSpan.Zero, UseJitter = false });
        using var cluster = new KubernetesCluster("test", config, pipeline, TimeProvider.System);

        // A pooled connection for the delete to go out on.
        await cluster.GetPodAsync("shop", "web-54c98d69cd-lqx4r", stop.Token);
        var e = await Assert.ThrowsAnyAsync<GatewayException>(() => cluster.DeletePodAsync("shop", "web-54c98d69cd-lqx4r", 5, stop.Token));

        Assert.Equal(1, Volatile.Read(ref _deletes));
        Assert.NotEqual(ErrorCode.NotFound, e.Code);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serving);
    }
}
