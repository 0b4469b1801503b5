using System.Diagnostics;

namespace Gateway.Scripts.Tests;

/// <summary>scripts/count-results.sh, the CI's closing line, run on synthetic .trx files.</summary>
public sealed class CountResultsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("count-results-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Normal_projects_are_summed_and_exit_zero()
    {
        SyntheticTrx.Write(Path.Combine(_dir, "A.Tests"), "Completed", ["Passed", "Passed", "Passed"]);
        SyntheticTrx.Write(Path.Combine(_dir, "B.Tests"), "Completed", ["Passed", "Passed"]);

        var (code, lines) = Count("A.Tests", "B.Tests");

        Assert.Equal("5 passed, 0 failed", lines[^1]);
        Assert.Equal(0, code);
        Assert.Contains(lines, l => l.StartsWith("A.Tests", StringComparison.Ordinal) && l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] == "3");
    }

    [Fact]
    public void Failed_tests_count_and_exit_non_zero()
    {
        SyntheticTrx.Write(Path.Combine(_dir, "A.Tests"), "Failed", ["Passed", "Failed", "Error"]);

        var (code, lines) = Count("A.Tests");

        Assert.Equal("1 passed, 2 failed", lines[^1]);
        Assert.Equal(1, code);
    }

    [Fact]
    public void Failed_tests_are_named_with_the_first_line_of_their_message_and_the_next_lines_follow_indented()
    {
        SyntheticTrx.Write(Path.Combine(_dir, "A.Tests"), "Failed", ["Passed", "Failed"],
            failureMessage: "\n  Assert.Equal() Failure: Values differ\nExpected: 1\nActual:   2");

        var (_, lines) = Count("A.Tests");

        Assert.Contains("FAILED A.Tests: T1 (Failed): Assert.Equal() Failure: Values differ", lines);
        Assert.Contains("    | Expected: 1", lines);
        Assert.Contains("    | Actual:   2", lines);
        Assert.DoesNotContain(lines, l => l.Contains("T0", StringComparison.Ordinal));
    }

    [Fact]
    public void A_crashed_host_whose_tests_passed_counts_as_a_failure()
    {
        // What an xunit project calling Environment.FailFast leaves: passed rows, a Failed summary.
        SyntheticTrx.Write(Path.Combine(_dir, "Crash.Tests"), "Failed", ["Passed", "Passed"],
            runInfo: "The active test run was aborted. Reason: Test host process crashed");

        var (code, lines) = Count("Crash.Tests");

        Assert.Equal("2 passed, 1 failed", lines[^1]);
        Assert.Equal(1, code);
        Assert.Contains(lines, l => l.StartsWith("Crash.Tests", StringComparison.Ordinal) && l.Contains("Test host process crashed", StringComparison.Ordinal));
    }

    [Fact]
    public void An_aborted_run_with_no_results_counts_as_a_failure()
    {
        SyntheticTrx.Write(Path.Combine(_dir, "Aborted.Tests"), "Aborted", []);

        var (code, lines) = Count("Aborted.Tests");

        Assert.Equal("0 passed, 1 failed", lines[^1]);
        Assert.Equal(1, code);
    }

    [Fact]
    public void A_project_that_ran_no_test_counts_as_a_failure()
    {
        SyntheticTrx.Write(Path.Combine(_dir, "Empty.Tests"), "Completed", []);

        var (code, lines) = Count("Empty.Tests");

        Assert.Equal("0 passed, 1 failed", lines[^1]);
        Assert.Contains(lines, l => l.Contains("ran no test", StringComparison.Ordinal));
        Assert.Equal(1, code);
    }

    [Fact]
    public void A_missing_project_counts_as_a_failure()
    {
        SyntheticTrx.Write(Path.Combine(_dir, "A.Tests"), "Completed", ["Passed"]);

        var (code, lines) = Count("A.Tests", "Missing.Tests");

        Assert.Equal("1 passed, 1 failed", lines[^1]);
        Assert.Contains(lines, l => l.StartsWith("Missing.Tests", StringComparison.Ordinal) && l.Contains("no results", StringComparison.Ordinal));
        Assert.Equal(1, code);
    }

    [Fact]
    public void Skipped_tests_are_neither_passed_nor_failed()
    {
        SyntheticTrx.Write(Path.Combine(_dir, "A.Tests"), "Completed", ["Passed", "NotExecuted", "NotExecuted"]);

        var (code, lines) = Count("A.Tests");

        Assert.Equal("2 skipped", lines[^2]);
        Assert.Equal("1 passed, 0 failed", lines[^1]);
        Assert.Equal(0, code);
    }

    [Fact]
    public void An_unreadable_trx_counts_as_a_failure()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "Torn.Tests"));
        File.WriteAllText(Path.Combine(_dir, "Torn.Tests", "x.trx"), "<TestRun xmlns=\"http://microsoft.com/schemas/VisualStudio/TeamTest/2010\"><Results>");

        var (code, lines) = Count("Torn.Tests");

        Assert.Equal("0 passed, 1 failed", lines[^1]);
        Assert.Equal(1, code);
    }

    [Fact]
    public void A_non_zero_dotnet_test_exit_counts_when_the_trx_looks_clean()
    {
        SyntheticTrx.Write(Path.Combine(_dir, "A.Tests"), "Completed", ["Passed"]);
        File.WriteAllText(Path.Combine(_dir, "A.Tests", "exit-code"), "134\n");

        var (code, lines) = Count("A.Tests");

        Assert.Equal("1 passed, 1 failed", lines[^1]);
        Assert.Equal(1, code);
    }

    private (int Code, string[] Lines) Count(params string[] projects)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(RepoRoot(), "scripts", "count-results.sh"));
        psi.ArgumentList.Add(_dir);
        foreach (var p in projects) psi.ArgumentList.Add(p);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var lines = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length > 0, $"count-results.sh printed nothing; stderr: {stderr}");
        return (process.ExitCode, lines);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Gateway.sln not found above " + AppContext.BaseDirectory);
    }
}
