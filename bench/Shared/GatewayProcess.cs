using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Bench;

/// <summary>The gateway as a separate process (Release build), so its memory can be measured on its own.</summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;

    private GatewayProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>The admin API key made for this run when the caller configured none (send it as X-Api-Key).</summary>
    public string? ApiKey { get; private init; }
    public int Pid => _process.Id;

    public static async Task<GatewayProcess> StartAsync(string repoRoot, IDictionary<string, string> settings)
    {
        // The suites set BENCH_GATEWAY_DLL to a ReadyToRun publish (bench/Shared/gateway.sh); without it, the build output.
        var dll = Environment.GetEnvironmentVariable("BENCH_GATEWAY_DLL") is { Length: > 0 } other
            ? Path.GetFullPath(other)
            : Path.Combine(repoRoot, "Gateway", "bin", "Release", "net10.0", "Gateway.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: run dotnet build -c Release Gateway first.");
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = repoRoot,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // Security is always on: without keys of its own, the run gets a random admin key and no rate limit.
        string? apiKey = null;
        if (!settings.Keys.Any(k => k.StartsWith("Gateway:Security:ApiKeys", StringComparison.OrdinalIgnoreCase)))
        {
            apiKey = "gwk_bench_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            start.Environment["Gateway__Security__ApiKeys__bench__Hash"] = "sha256:" + Convert.ToHexStringLower(
                System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(apiKey)));
            start.Environment["Gateway__Security__ApiKeys__bench__Scopes__0"] = "admin";
            start.Environment["Gateway__Security__RateLimits__PermitLimit"] = "0";
        }
        foreach (var (k, v) in settings) start.Environment[k.Replace(":", "__")] = v;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("gateway: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var address = new Uri($"http://127.0.0.1:{port}/");
        using var probe = new HttpClient { BaseAddress = address };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"the gateway exited with {process.ExitCode} during start-up");
            try
            {
                using var live = await probe.GetAsync("health/live");
                if (live.IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the gateway did not answer /health/live within 60 s");
            await Task.Delay(100);
        }
        return new GatewayProcess(process, address) { ApiKey = apiKey };
    }

    /// <summary>Peak resident set size so far (VmHWM), in MiB.</summary>
    public double PeakRssMb()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        }
        return double.NaN;
    }

    /// <summary>CPU time (user plus system) the gateway process has used so far.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>
    /// CPU time so far by thread kind (the thread's name, with the thread pool's workers counted together), from
    /// /proc/PID/task: tells the JIT's background compilation and the GC apart from the work itself.
    /// </summary>
    public Dictionary<string, TimeSpan> CpuTimeByThread()
    {
        var byKind = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
        {
            string stat;
            try { stat = File.ReadAllText(Path.Combine(task, "stat")); }
            catch (IOException) { continue; } // the thread ended
            var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var kind = name.StartsWith(".NET TP Worker", StringComparison.Ordinal) ? "thread pool" : name;
            var ticks = long.Parse(fields[11]) + long.Parse(fields[12]); // utime + stime, in 1/100 s
            byKind[kind] = byKind.GetValueOrDefault(kind) + TimeSpan.FromMilliseconds(ticks * 10);
        }
        return byKind;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
