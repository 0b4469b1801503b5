using Gateway.Fuzz;
using Gateway.Testing;

namespace Gateway.Security.Tests.Fuzzing;

/// <summary>
/// CI's slice of the AFL++ fuzzing (bench/Fuzz): every committed input of every target, seeds and the inputs that once
/// crashed a parser, goes through the harness's own target function, which lets escape any exception other than the
/// parser's documented rejection. No AFL is needed here.
/// </summary>
public sealed class FuzzCorpusReplayTests
{
    public static TheoryData<string> TargetNames() => [.. Targets.All.Keys];

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void Every_committed_input_is_accepted_or_rejected_as_documented(string target)
    {
        var directory = Path.Combine(Backends.RepositoryRoot, "bench", "Fuzz", "corpus", target);
        var inputs = Directory.Exists(directory) ? Directory.GetFiles(directory) : [];
        Assert.NotEmpty(inputs);
        var crashes = new List<string>();
        foreach (var file in inputs.Order(StringComparer.Ordinal))
        {
            try { Targets.All[target](File.ReadAllBytes(file)); }
            catch (Exception e) { crashes.Add($"{Path.GetFileName(file)}: {e.GetType().Name}: {e.Message}"); }
        }
        Assert.True(crashes.Count == 0, $"{target}: {string.Join("; ", crashes)}");
    }
}
