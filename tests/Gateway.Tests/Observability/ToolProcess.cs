using System.Diagnostics;

namespace Gateway.Tests.Observability;

/// <summary>
/// A real server the test starts (Prometheus, the Aspire dashboard): its output kept for failure messages, a poll for a
/// condition that fails with that output if the process exits or 60 s pass, and a kill on dispose.
/// </summary>
internal sealed class ToolProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _name;
    private readonly List<string> _output = [];

    private ToolProcess(Process process, string name)
    {
        _process = process;
        _name = name;
    }

    public static ToolProcess Start(ProcessStartInfo start, string name)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start.");
        var tool = new ToolProcess(process, name);
        process.OutputDataReceived += (_, e) => tool.Add(e.Data);
        process.ErrorDataReceived += (_, e) => tool.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return tool;
    }

    private void Add(string? line)
    {
        if (line is null) return;
        lock (_output) _output.Add(line);
    }

    private string Output
    {
        get { lock (_output) return string.Join('\n', _output.TakeLast(40)); }
    }

    /// <summary>Polls <paramref name="condition"/> (an unanswered request counts as false) until it holds.</summary>
    public async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{_name} exited ({_process.ExitCode}) waiting for {what}:\n{Output}");
            try
            {
                if (await condition()) return;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited 60 s for {what}. {_name} said:\n{Output}");
            await Task.Delay(100); // polling interval, not synchronisation: the loop checks the condition
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
