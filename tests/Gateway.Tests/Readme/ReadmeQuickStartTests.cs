using System.Diagnostics;
using System.Text.RegularExpressions;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Readme;

public sealed partial class ReadmeQuickStartTests
{
    [GeneratedRegex(@"<!-- quickstart:begin -->\s*```bash\n(?<script>.*?)```\s*<!-- quickstart:end -->", RegexOptions.Singleline)]
    private static partial Regex QuickStart();

    [Fact]
    public async Task Quick_start_runs_verbatim_against_a_live_gateway()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(Backends.RepositoryRoot, "README.md"));
        var match = QuickStart().Match(readme);
        Assert.True(match.Success, "README.md has no quickstart block between the markers");
        var script = match.Groups["script"].Value;

        await using var server = await GatewayServer.StartAsync();
        var start = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["GATEWAY"] = server.BaseAddress.ToString().TrimEnd('/');
        foreach (var (name, value) in ServerEnvironment(server)) start.Environment[name] = value;
        using var bash = Process.Start(start)!;
        var stdout = bash.StandardOutput.ReadToEndAsync();
        var stderr = bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();
        var output = await stdout;
        Assert.True(bash.ExitCode == 0, $"quickstart failed ({bash.ExitCode}):\n{output}\n{await stderr}");

        Assert.Contains("\"name\":\"local\"", output);
        Assert.Contains("hello, gateway", output);
        Assert.Contains("hello, gatewayhello{", output.Replace("\n", ""), StringComparison.Ordinal);
        Assert.Contains("\"commonPrefixes\":[\"greetings/\"]", output);
        Assert.Contains("\"key\":\"copy.txt\"", output);
        // The clean-up at the end really removed the bucket.
        using var buckets = await server.Client.GetAsync("v1/stores/local/buckets");
        Assert.DoesNotContain("\"demo\"", await buckets.Content.ReadAsStringAsync());
    }

    /// <summary>Variables the quickstart may use besides GATEWAY (e.g. credentials), taken from the test host.</summary>
    private static IEnumerable<(string, string)> ServerEnvironment(GatewayServer server) => [("GATEWAY_API_KEY", server.ApiKey!)];
}
