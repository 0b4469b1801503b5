using System.Diagnostics;

namespace Gateway.Tests.Migrations;

/// <summary>
/// <c>dotnet Gateway.dll migrate ...</c> as a running process, as a script starts it, whose output the test reads while it
/// runs: the job id a following <c>copy</c> prints before it follows the job, the status lines it prints on the way.
/// </summary>
internal sealed class MigrateCliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly List<(Func<string, bool> Matches, TaskCompletionSource<string> Seen)> _waiting = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MigrateCliProcess(Process process) => _process = process;

    public string Command { get; private init; } = "";

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>migrate</c> with <paramref name="args"/> and $GATEWAY_API_KEY set to <paramref name="apiKey"/> ($GATEWAY unset).</summary>
    public static MigrateCliProcess Start(IEnumerable<string> args, string apiKey, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Gateway.dll"));
        start.ArgumentList.Add("migrate");
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["GATEWAY_API_KEY"] = apiKey;
        start.Environment.Remove("GATEWAY");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        var cli = new MigrateCliProcess(new Process { StartInfo = start }) { Command = "migrate " + string.Join(' ', args) };
        cli._process.OutputDataReceived += (_, e) => cli.Add(cli._stdout, e.Data, cli._stdoutClosed);
        cli._process.ErrorDataReceived += (_, e) => cli.Add(cli._stderr, e.Data, cli._stderrClosed);
        cli._process.Start();
        cli._process.BeginOutputReadLine();
        cli._process.BeginErrorReadLine();
        return cli;
    }

    private void Add(List<string> lines, string? line, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }
        lock (_gate)
        {
            lines.Add(line);
            if (!ReferenceEquals(lines, _stderr)) return;
            foreach (var w in _waiting.Where(w => w.Matches(line)).ToList())
            {
                w.Seen.TrySetResult(line);
                _waiting.Remove(w);
            }
        }
    }

    /// <summary>The first stderr line that <paramref name="matches"/>, seen or still to come (bounded: 60 s, or the process's end).</summary>
    public async Task<string> StderrLineAsync(Func<string, bool> matches, string what)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_stderr.FirstOrDefault(matches) is { } line) return line;
            _waiting.Add((matches, seen));
        }
        var ended = Task.WhenAll(_process.WaitForExitAsync(), _stderrClosed.Task);
        var first = await Task.WhenAny(seen.Task, ended, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first == seen.Task) return await seen.Task;
        throw new Xunit.Sdk.XunitException($"{Command}: no stderr line {what} ({(first == ended ? "it exited" : "60 s")}); stderr: {Stderr}");
    }

    private string Stderr { get { lock (_gate) return string.Join('\n', _stderr); } }

    /// <summary>The exit code and the whole output once the process ended (bounded: 60 s, then it is killed and fails the test).</summary>
    public async Task<(int Code, string Stdout, string Stderr)> ExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await _process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"{Command} did not end within 60 s; stderr: {Stderr}");
        }
        await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task);
        lock (_gate) return (_process.ExitCode, string.Join('\n', _stdout), string.Join('\n', _stderr));
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
