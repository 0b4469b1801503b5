using System.Globalization;
using System.Text.Json;
using Xunit;

namespace Gateway.Tests.Hosting;

/// <summary>
/// The runtime settings Gateway.csproj gives the gateway reach the Gateway.runtimeconfig.json that `dotnet Gateway.dll`
/// (and so `dotnet run`, the published gateway and the benches) reads: server GC with its gen0 budget capped
/// (docs/configuration.md, "Runtime settings").
/// </summary>
public sealed class RuntimeConfigTests
{
    [Fact]
    public void Gateway_runtimeconfig_runs_server_gc_with_a_4_MiB_gen0_budget_cap()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Gateway.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean());
        var budget = properties.GetProperty("System.GC.Gen0MaxBudget");
        var bytes = budget.ValueKind == JsonValueKind.Number
            ? budget.GetInt64()
            : long.Parse(budget.GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal(4L * 1024 * 1024, bytes);
    }
}
