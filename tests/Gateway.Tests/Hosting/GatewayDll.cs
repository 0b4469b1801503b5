using System.Diagnostics;

namespace Gateway.Tests.Hosting;

/// <summary>Runs the built gateway (<c>dotnet Gateway.dll ...</c>) as a script or an operator would, with its output captured.</summary>
internal static class GatewayDll
{
    /// <summary>
    /// The exit code and output of one run; <paramref name="environment"/> sets (or, with null, removes) variables.
    /// A run longer than 60 s is killed and answers exit code -1.
    /// </summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args,
        IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Gateway.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, await stdout, "timed out after 60 s: " + await stderr);
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
