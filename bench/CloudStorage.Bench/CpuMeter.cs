using System.Globalization;

/// <summary>
/// CPU seconds spent by the gateway, this process (the client side of both paths) and the emulator during one
/// transfer, from /proc/&lt;pid&gt;/stat. On a shared, loaded machine wall time stretches with everyone's load; the CPU
/// each side needs per transfer does not, so it shows where a gap comes from.
/// </summary>
sealed class CpuMeter(int gatewayPid, int? emulatorPid)
{
    public readonly record struct Sample(double Gateway, double Client, double Emulator)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"cpu gateway {Gateway:0.00}s client {Client:0.00}s emulator {Emulator:0.00}s");
    }

    public async Task<(double Seconds, Sample Cpu)> MeasureAsync(Func<Task> action)
    {
        var before = Now();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await action();
        var seconds = watch.Elapsed.TotalSeconds;
        var after = Now();
        return (seconds, new Sample(after.Gateway - before.Gateway, after.Client - before.Client, after.Emulator - before.Emulator));
    }

    Sample Now() => new(Seconds(gatewayPid), Seconds(Environment.ProcessId), emulatorPid is { } pid ? Seconds(pid) : double.NaN);

    /// <summary>utime + stime of a process, in seconds (clock ticks are 1/100 s on Linux).</summary>
    static double Seconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    public static int? EmulatorPid(string envFile, string backend)
    {
        var file = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(envFile))!, backend, "pid");
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out var pid) && File.Exists($"/proc/{pid}/stat") ? pid : null;
    }
}
