using System.Diagnostics;
using System.Net;
using Gateway.Channel.Identity;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Observability;

/// <summary>
/// A bridge host in a separate process (the gateway binary with --role bridge-host), reached over CTP-96 on loopback
/// TCP: its spans carry the caller's trace id. The host exports its spans with the OpenTelemetry console exporter
/// (Gateway:Observability:Tracing:Console), and the test reads them from the process's standard output.
/// </summary>
public sealed class RemoteHostTraceTests
{
    [Fact]
    public async Task A_remote_bridge_host_in_another_process_joins_the_callers_trace()
    {
        var root = Directory.CreateTempSubdirectory("gateway-remote-trace-").FullName;
        using var hostKey = HybridSigningKey.Generate();
        using var edgeKey = HybridSigningKey.Generate();
        var hostFiles = KeyFiles.Write(hostKey, Path.Combine(root, "keys"), "host");
        var edgeFiles = KeyFiles.Write(edgeKey, Path.Combine(root, "keys"), "edge");

        await using var host = HostProcess.Start(root,
        [
            "--role=bridge-host",
            "--urls=http://127.0.0.1:0",
            $"--Gateway:DataDirectory={Path.Combine(root, "host-data")}",
            "--Gateway:Stores:local:Kind=local",
            $"--Gateway:Stores:local:Root={Path.Combine(root, "host-objects")}",
            $"--Gateway:Channel:KeyFile={hostFiles.PrivatePath}",
            "--Gateway:Channel:Listen=127.0.0.1:0",
            $"--Gateway:Channel:AllowedClients:0={edgeFiles.PublicPath}",
            "--Gateway:Observability:Tracing:Console=true",
            "--Gateway:Observability:Tracing:SamplingRatio=1",
        ]);
        var port = await host.WaitForLineAsync(BridgeHostListening.Port, "the bridge host listening");

        var spans = new SpanCollector();
        await using var edge = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Stores:local:Root"] = Path.Combine(root, "edge-unused"),
            ["Gateway:Channel:Mode"] = "remote",
            ["Gateway:Channel:KeyFile"] = edgeFiles.PrivatePath,
            ["Gateway:Channel:Remote:Address"] = $"127.0.0.1:{port}",
            ["Gateway:Channel:Remote:HostKey"] = hostKey.PublicKey.ToText(),
            ["Gateway:Observability:Tracing:Enabled"] = "true",
        }, services: spans.Register);
        using var caller = TracePropagationTests.Caller();
        var traceId = caller.TraceId;

        using var request = new HttpRequestMessage(HttpMethod.Put, "v1/stores/local/buckets/across-processes");
        using var response = await edge.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.True(Directory.Exists(Path.Combine(root, "host-objects", "across-processes")), "the bucket was made by the remote host");

        var client = await spans.WaitForAsync(s => s.TraceId == traceId && s.Kind == ActivityKind.Client && s.DisplayName == "object-storage create-bucket",
            "of the edge's bridge call");
        var hostSpan = await host.WaitForSpanAsync(s => s.TraceId == traceId.ToHexString() && s.DisplayName == "object-storage create-bucket" && s.Kind == "Server");
        Assert.Equal(client.SpanId.ToHexString(), hostSpan.ParentSpanId);
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }


    internal sealed record ConsoleSpan(string TraceId, string SpanId, string? ParentSpanId, string DisplayName, string Kind);

    /// <summary>The gateway binary run as a child process, its standard output read line by line.</summary>
    private sealed class HostProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];
        private readonly List<(Func<IReadOnlyList<string>, bool> Done, TaskCompletionSource Signal)> _waiters = [];

        private HostProcess(Process process) => _process = process;

        public static HostProcess Start(string workingDirectory, IEnumerable<string> args)
        {
            var gateway = Path.Combine(AppContext.BaseDirectory, "Gateway.dll");
            if (!File.Exists(gateway)) throw new InvalidOperationException($"The gateway binary is missing: {gateway}");
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(gateway);
            foreach (var arg in args) start.ArgumentList.Add(arg);
            start.Environment["DOTNET_ENVIRONMENT"] = "Development";
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
            var process = new Process { StartInfo = start };
            var host = new HostProcess(process);
            process.OutputDataReceived += (_, e) => host.Add(e.Data);
            process.ErrorDataReceived += (_, e) => host.Add(e.Data);
            if (!process.Start()) throw new InvalidOperationException("The bridge host process did not start.");
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return host;
        }

        private void Add(string? line)
        {
            if (line is null) return;
            lock (_lines)
            {
                _lines.Add(line);
                foreach (var waiter in _waiters.Where(w => w.Done(_lines)).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Signal.TrySetResult();
                }
            }
        }

        private async Task WaitAsync(Func<IReadOnlyList<string>, bool> done, string what)
        {
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lines)
            {
                if (done(_lines)) return;
                _waiters.Add((done, signal));
            }
            var exited = _process.WaitForExitAsync();
            var finished = await Task.WhenAny(signal.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
            if (finished == signal.Task) return;
            string output;
            lock (_lines) output = string.Join('\n', _lines.TakeLast(60));
            throw new Xunit.Sdk.XunitException($"Waited in vain for {what} ({(finished == exited ? "the process exited" : "60 s")}). Its output:\n{output}");
        }

        /// <summary>The first line <paramref name="read"/> finds a value in, and that value.</summary>
        public async Task<T> WaitForLineAsync<T>(Func<string, T?> read, string what) where T : struct
        {
            T? found = null;
            await WaitAsync(lines => (found = lines.Select(read).FirstOrDefault(v => v is not null)) is not null, what);
            return found!.Value;
        }

        public async Task<ConsoleSpan> WaitForSpanAsync(Func<ConsoleSpan, bool> match)
        {
            ConsoleSpan? found = null;
            await WaitAsync(lines => (found = Parse(lines).FirstOrDefault(match)) is not null, "the host's span in the caller's trace");
            return found!;
        }

        /// <summary>The console exporter's blocks: "Activity.TraceId:  ..." then SpanId, ParentSpanId, DisplayName, Kind.</summary>
        private static IEnumerable<ConsoleSpan> Parse(IReadOnlyList<string> lines)
        {
            Dictionary<string, string>? fields = null;
            foreach (var line in lines.Append("Activity.TraceId: <end>"))
            {
                var trimmed = line.Trim();
                if (!trimmed.StartsWith("Activity.", StringComparison.Ordinal)) continue;
                var colon = trimmed.IndexOf(':');
                if (colon < 0) continue;
                var (name, value) = (trimmed[9..colon], trimmed[(colon + 1)..].Trim());
                if (name == "TraceId")
                {
                    if (fields is not null && fields.TryGetValue("TraceId", out var t) && fields.TryGetValue("SpanId", out var s)
                        && fields.TryGetValue("DisplayName", out var d) && fields.TryGetValue("Kind", out var k))
                        yield return new ConsoleSpan(t, s, fields.GetValueOrDefault("ParentSpanId"), d, k);
                    fields = [];
                }
                if (fields is not null) fields[name] = value;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }
    }
}
