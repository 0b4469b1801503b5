using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Testing;
using Microsoft.Extensions.Logging;

namespace Gateway.Bridges.Kubernetes.Tests;

/// <summary>
/// A pod log the API server cuts after it began is aborted toward the caller (never a whole-looking answer), and logged
/// as one warning: a black-box probe (session 42) found it logged as an unhandled exception with its stack trace.
/// </summary>
public sealed class PodLogCutTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("gw-kube-").FullName;
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly ConcurrentQueue<(LogLevel Level, int EventId)> _logs = new();

    public PodLogCutTests() => _listener.Start();

    public void Dispose()
    {
        _listener.Stop();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_log_cut_by_the_api_server_is_aborted_and_logged_as_one_warning()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var serving = Task.Run(async () =>
        {
            using var client = await _listener.AcceptTcpClientAsync(stop.Token);
            var stream = client.GetStream();
            var head = new List<byte>();
            var one = new byte[1];
            while (head.Count < 4 || Encoding.ASCII.GetString([.. head.TakeLast(4)]) != "\r\n\r\n")
            {
                if (await stream.ReadAsync(one, stop.Token) == 0) return;
                head.Add(one[0]);
            }
            // A chunked log that stops after its first chunk: no last chunk, the connection closed.
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nline1\n\r\n"u8.ToArray(), stop.Token);
        }, stop.Token);
        await using var gateway = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Kubernetes:Clusters:test:KubeConfig"] = KubeApiServer.WriteKubeConfig(_dir, $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}"),
            ["Gateway:Kubernetes:Clusters:test:Resilience:MaxRetryAttempts"] = "0",
        }, logging: logging => logging.AddProvider(new Capture(_logs)));

        // The abort resets the connection: the caller sees it while reading the body, or, when the reset overtakes the
        // head on the wire, as the request failing. Never as an answer that looks whole.
        var failure = await Record.ExceptionAsync(async () =>
        {
            using var response = await gateway.Client.GetAsync("v1/kubernetes/test/namespaces/shop/pods/web/logs", HttpCompletionOption.ResponseHeadersRead, stop.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsStringAsync(stop.Token);
        });
        Assert.True(failure is HttpRequestException or IOException, $"the cut log was answered as whole ({failure})");
        await serving;
        await gateway.Requests.WaitForFinishedAsync(r => r.Path.EndsWith("/logs", StringComparison.Ordinal), 1, TimeSpan.FromSeconds(30), "the cut log");

        Assert.True(!_logs.Any(l => l.Level >= LogLevel.Error), string.Join(", ", _logs));
        Assert.Contains(_logs, l => l == (LogLevel.Warning, Gateway.Contracts.Diagnostics.EventIds.StreamCutAfterStart));
    }

    sealed class Capture(ConcurrentQueue<(LogLevel, int)> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(logs);
        public void Dispose() { }

        sealed class Logger(ConcurrentQueue<(LogLevel, int)> logs) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) logs.Enqueue((logLevel, eventId.Id));
            }
        }
    }
}
