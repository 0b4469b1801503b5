using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.Testing;

/// <summary>
/// The built gateway binary (Gateway.dll next to the test binaries) run as its own process on a free loopback port,
/// configured through environment variables, with its state in a data directory the caller owns (so a second process
/// can start on it). <see cref="Kill"/> ends it with SIGKILL: no shutdown code runs.
/// </summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _bridgeHostPort = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GatewayProcess(Process process, string apiKey)
    {
        _process = process;
        ApiKey = apiKey;
    }

    public Uri BaseAddress { get; private set; } = null!;
    public string ApiKey { get; }
    public HttpClient Client { get; private set; } = null!;
    public int ProcessId => _process.Id;

    [GeneratedRegex(@"Now listening on: (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();

    /// <summary>
    /// Starts the gateway with <paramref name="settings"/> (configuration keys with ':'), the data directory and an admin
    /// API key, and waits (at most 60 s) until it answers /health/live.
    /// </summary>
    public static async Task<GatewayProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string> settings)
    {
        var gateway = Path.Combine(AppContext.BaseDirectory, "Gateway.dll");
        if (!File.Exists(gateway)) throw new InvalidOperationException($"The gateway binary is missing: {gateway}");
        var apiKey = "gwk_proc_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = dataDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(gateway);
        start.ArgumentList.Add("--urls=http://127.0.0.1:0");
        var config = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Gateway:DataDirectory"] = dataDirectory,
            ["Gateway:Stores:local:Kind"] = "local",
            ["Gateway:Stores:local:Root"] = Path.Combine(dataDirectory, "objects"),
            ["Gateway:Security:RateLimits:PermitLimit"] = "0",
            // The 1 s bound on a witness's signed head is tested where a test sets it; on a loaded 2-core CI machine a
            // head can take longer, which would fail a test about something else (fail-closed, as designed).
            ["Gateway:Channel:HeadTimeout"] = "00:00:10",
            ["Gateway:Security:ApiKeys:test-admin:Hash"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey))),
            ["Gateway:Security:ApiKeys:test-admin:Scopes:0"] = "admin",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            ["Logging:LogLevel:Gateway.ChannelHosting.BridgeHostService"] = "Information",
        };
        foreach (var (k, v) in settings) config[k] = v;
        // Environment variables, not arguments: credentials stay out of the process list.
        foreach (var (k, v) in config) start.Environment[k.Replace(":", "__", StringComparison.Ordinal)] = v;

        var process = new Process { StartInfo = start };
        var gatewayProcess = new GatewayProcess(process, apiKey);
        process.OutputDataReceived += (_, e) => gatewayProcess.Add(e.Data);
        process.ErrorDataReceived += (_, e) => gatewayProcess.Add(e.Data);
        if (!process.Start()) throw new InvalidOperationException("The gateway process did not start.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await gatewayProcess.WaitUntilLiveAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await gatewayProcess.DisposeAsync();
            throw;
        }
        return gatewayProcess;
    }

    private void Add(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.Add(line);
            if (_output.Count > 400) _output.RemoveRange(0, 200);
        }
        if (ListeningLine().Match(line) is { Success: true } m) _listening.TrySetResult(new Uri(m.Groups["url"].Value + "/"));
        if (BridgeHostListening.Port(line) is { } port) _bridgeHostPort.TrySetResult(port);
    }

    /// <summary>The last lines the process wrote (for failure messages).</summary>
    public string RecentOutput
    {
        get { lock (_output) return string.Join('\n', _output.TakeLast(60)); }
    }

    private async Task WaitUntilLiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var exited = _process.WaitForExitAsync(cts.Token);
        var first = await Task.WhenAny(_listening.Task, exited, Task.Delay(Timeout.Infinite, cts.Token)).ConfigureAwait(false);
        if (first != _listening.Task)
            throw new InvalidOperationException($"The gateway process never listened ({(_process.HasExited ? $"it exited with {_process.ExitCode}" : "timeout")}). Its output:\n{RecentOutput}");
        BaseAddress = await _listening.Task.ConfigureAwait(false);
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        Client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        while (true)
        {
            try
            {
                using var live = await Client.GetAsync("health/live", cts.Token).ConfigureAwait(false);
                if (live.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) when (!cts.IsCancellationRequested) { }
            await Task.Delay(50, cts.Token).ConfigureAwait(false); // polling interval, not synchronisation: the loop checks the condition
        }
    }

    /// <summary>The CTP-96 port of a process started with `Gateway:Role` bridge-host (and `Gateway:Channel:Listen` on port 0).</summary>
    public async Task<int> BridgeHostPortAsync()
    {
        var first = await Task.WhenAny(_bridgeHostPort.Task, _process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60))).ConfigureAwait(false);
        if (first != _bridgeHostPort.Task)
            throw new InvalidOperationException($"The bridge host never said where it listens ({(_process.HasExited ? "it exited" : "60 s")}). Its output:\n{RecentOutput}");
        return await _bridgeHostPort.Task.ConfigureAwait(false);
    }

    /// <summary>SIGKILL, then waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    public bool HasExited => _process.HasExited;

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        _process.Dispose();
    }
}
