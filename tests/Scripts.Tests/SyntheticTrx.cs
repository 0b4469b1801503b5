using System.Text;

namespace Gateway.Scripts.Tests;

/// <summary>Writes .trx files shaped like the ones `dotnet test --logger trx` writes.</summary>
internal static class SyntheticTrx
{
    public static string Write(string dir, string summaryOutcome, IEnumerable<string> outcomes, string? runInfo = null,
        string? failureMessage = null)
    {
        Directory.CreateDirectory(dir);
        var results = new StringBuilder();
        var i = 0;
        foreach (var outcome in outcomes)
        {
            var output = outcome == "Passed" || failureMessage is null ? "" : $"""
                <Output><ErrorInfo><Message>{failureMessage}</Message><StackTrace>at T()</StackTrace></ErrorInfo></Output>
                """;
            results.Append($"""
                <UnitTestResult executionId="{Guid.NewGuid()}" testId="{Guid.NewGuid()}" testName="T{i++}" outcome="{outcome}">{output}</UnitTestResult>
                """);
        }
        var info = runInfo is null ? "" : $"""
            <RunInfos><RunInfo computerName="ci" outcome="Error" timestamp="2026-11-28T00:00:00Z"><Text>{runInfo}</Text></RunInfo></RunInfos>
            """;
        var xml = $"""
            <?xml version="1.0" encoding="utf-8"?>
            <TestRun id="{Guid.NewGuid()}" name="synthetic" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
              <Results>{results}</Results>
              <ResultSummary outcome="{summaryOutcome}">
                <Counters total="{i}" />
                {info}
              </ResultSummary>
            </TestRun>
            """;
        var path = Path.Combine(dir, $"{Guid.NewGuid():N}.trx");
        File.WriteAllText(path, xml);
        return path;
    }
}
