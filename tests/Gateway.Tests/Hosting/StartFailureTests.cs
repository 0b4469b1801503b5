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
            var (code, output, errors) = await GatewayDll.RunAsync(["--urls", "http://127.0.0.1:0"],
                new Dictionary<string, string?> { ["DOTNET_ENVIRONMENT"] = "Production", ["ASPNETCORE_ENVIRONMENT"] = "Production" }, workDir);

            Assert.True(code == 1, $"exit {code}\n{errors}");
            Assert.Contains("The gateway did not start: ", errors);
            Assert.DoesNotContain("Unhandled exception", errors + output);
        }
        finally { Directory.Delete(workDir, recursive: true); }
    }
}
