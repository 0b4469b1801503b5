using System.Diagnostics;
using Xunit;

namespace Gateway.Tests.Hosting;

/// <summary>A gateway that refuses to start says why in one line and exits with 1, as an operator's script expects.</summary>
public sealed class StartFailureTests
{
    [Fact]
    public async Task A_production_start_without_its_settings_exits_1_with_the_reason_not_an_abort()
    {
        var workDir = Directory.CreateTempSubdirectory("gw-start-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workDir };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Gateway.dll"));
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add("http://127.0.0.1:0");
            start.Environment["DOTNET_ENVIRONMENT"] = "Production";
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            var (output, errors) = (await stdout, await stderr);

            Assert.True(process.ExitCode == 1, $"exit {process.ExitCode}\n{errors}");
            Assert.Contains("The gateway did not start: ", errors);
            Assert.DoesNotContain("Unhandled exception", errors + output);
        }
        finally { Directory.Delete(workDir, recursive: true); }
    }
}
