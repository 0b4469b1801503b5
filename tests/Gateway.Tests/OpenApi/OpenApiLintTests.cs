using System.Diagnostics;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.OpenApi;

/// <summary>The committed OpenAPI document passes Redocly CLI's recommended rules (scripts/install.d/redocly.sh installs it).</summary>
public sealed class OpenApiLintTests
{
    [Fact]
    public async Task Committed_document_passes_redocly_lint_with_no_errors()
    {
        var root = Backends.RepositoryRoot;
        var dir = Path.Combine(root, "scripts", "redocly");
        var cli = Path.Combine(dir, "node_modules", "@redocly", "cli", "bin", "cli.js");
        Assert.True(File.Exists(cli), $"Redocly CLI is not installed at {cli}; run: bash scripts/install.d/redocly.sh");
        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { cli, "lint", Path.Combine(root, "openapi", "gateway.v1.json"), "--config", Path.Combine(dir, "redocly.yaml"), "--format", "stylish" },
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"redocly lint failed (exit {process.ExitCode}):\n{output}");
    }
}
