using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Gateway.Testing;
using Microsoft.Extensions.Logging;

namespace Gateway.Bridges.Docker.Tests;

/// <summary>
/// A caller hanging up on a followed log is the documented normal end of one. A black-box probe (session 42) found
/// that it failed the request with a NotSupportedException (the log reader was disposed while a read was in progress),
/// logged three times at Error with stack traces: the flush that found the caller gone threw while a log read was in
/// progress. It now ends quietly. The race is narrow (the flush must see the cancelled request between two reads): this
/// test did not hit it on demand here, so it guards the outcome, followed and not, rather than proving the fix.
/// The other end: an engine that hangs up on a log after it began (session 43) got the same three Errors; now the answer
/// is aborted and logged as one Warning, by the rule every streamed endpoint shares (<c>StreamFaultGuard</c>).
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class DockerStreamHangUpTests(DockerBackend backend) : DockerGatewayTestBase(backend)
{
    private readonly ErrorCapture _errors = new();

    [Fact]
    public async Task A_caller_hanging_up_on_a_followed_log_ends_it_without_an_error()
    {
        await using var gateway = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Docker:Hosts:local:Endpoint"] = Backend.Endpoint.ToString(),
        }, logging: logging => logging.AddProvider(_errors));
        var create = await gateway.Client.PostAsJsonAsync("v1/docker/local/containers", new
        {
            image = Backend.TestImage,
            // Writes faster than a caller reads, so a log read is always in progress when the caller goes.
            command = new[] { "sh", "-c", "trap 'exit 0' TERM; while true; do echo line; done" },
            labels = RunLabels,
        });
        var id = (await create.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await gateway.Client.PostAsync($"v1/docker/local/containers/{id}/start", null);

        for (var i = 0; i < 6; i++)
        {
            using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp))
            {
                await socket.ConnectAsync(gateway.BaseAddress.Host, gateway.BaseAddress.Port);
                await socket.SendAsync(Encoding.ASCII.GetBytes(
                    $"GET /v1/docker/local/containers/{id}/logs{(i % 2 == 0 ? "?follow=true" : "")} HTTP/1.1\r\nHost: gw\r\nX-Api-Key: {gateway.ApiKey}\r\n\r\n"));
                var buffer = new byte[4096];
                var received = await socket.ReceiveAsync(buffer);
                Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(buffer, 0, received), StringComparison.Ordinal);
            }
            await gateway.Requests.WaitForFinishedAsync(r => r.Path.EndsWith("/logs", StringComparison.Ordinal), i + 1, TimeSpan.FromSeconds(30), "the hung-up log");
        }
        Assert.True(_errors.Lines.IsEmpty, "logged at Error: " + string.Join(" || ", _errors.Lines));
    }

    [Fact]
    public async Task A_log_the_engine_cuts_after_it_began_is_aborted_and_logged_as_one_warning()
    {
        await using var forwarder = new CuttableSocketForwarder(Backend.Endpoint.LocalPath);
        await using var gateway = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Docker:Hosts:local:Endpoint"] = "unix://" + forwarder.Path,
            ["Gateway:Docker:Hosts:local:Resilience:MaxRetryAttempts"] = "0",
        }, logging: logging => logging.AddProvider(_errors));
        var create = await gateway.Client.PostAsJsonAsync("v1/docker/local/containers", new
        {
            image = Backend.TestImage,
            command = new[] { "sh", "-c", "trap 'exit 0' TERM; while true; do echo line; sleep 0.2; done" },
            labels = RunLabels,
        });
        var id = (await create.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await gateway.Client.PostAsync($"v1/docker/local/containers/{id}/start", null);

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await gateway.Client.GetAsync($"v1/docker/local/containers/{id}/logs?follow=true", HttpCompletionOption.ResponseHeadersRead, stop.Token);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
        Assert.Contains("line", await reader.ReadLineAsync(stop.Token));
        forwarder.CutAll();
        // The cut answer is aborted: the caller's read fails, never ends as if the log were whole.
        var failure = await Record.ExceptionAsync(async () => { while (await reader.ReadLineAsync(stop.Token) is not null) { } });
        Assert.True(failure is HttpRequestException or IOException, $"the cut log ended as if whole ({failure})");
        await gateway.Requests.WaitForFinishedAsync(r => r.Path.EndsWith("/logs", StringComparison.Ordinal), 1, TimeSpan.FromSeconds(30), "the cut log");

        Assert.True(_errors.Lines.IsEmpty, "logged at Error: " + string.Join(" || ", _errors.Lines));
        Assert.Contains(_errors.Warnings, w => w.EventId == global::Gateway.Contracts.Diagnostics.EventIds.StreamCutAfterStart);
        await gateway.Client.DeleteAsync($"v1/docker/local/containers/{id}?force=true");
    }

    /// <summary>Every log line at Warning or above, of any category; <see cref="Lines"/> those at Error or above.</summary>
    private sealed class ErrorCapture : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public ConcurrentQueue<(LogLevel Level, int EventId)> Warnings { get; } = new();
        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void Dispose() { }

        private sealed class Logger(ErrorCapture capture, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel == LogLevel.Warning) capture.Warnings.Enqueue((logLevel, eventId.Id));
                else if (IsEnabled(logLevel)) capture.Lines.Enqueue($"{logLevel} {category} {eventId.Id}: {formatter(state, exception)} {exception}");
            }
        }
    }
}
