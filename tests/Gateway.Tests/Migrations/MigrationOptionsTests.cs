using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Migrations;

/// <summary>Gateway:Migrations (the jobs' retries, when a run stops as interrupted, large-object parts in flight) is checked when the gateway starts.</summary>
public sealed class MigrationOptionsTests
{
    [Theory]
    [InlineData("ObjectRetries", "11")]
    [InlineData("ObjectRetries", "-1")]
    [InlineData("RetryBaseDelay", "00:00:00")]
    [InlineData("RetryMaxDelay", "00:00:00.500")] // below the default base delay of 1 s
    [InlineData("InterruptAfterFailures", "0")]
    [InlineData("LargeObjectPartsInFlight", "0")]
    [InlineData("LargeObjectPartsInFlight", "65")]
    public async Task A_bad_migration_setting_stops_start_up_naming_it(string setting, string value)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            [$"Gateway:Migrations:{setting}"] = value,
        }));
        Assert.Contains($"Gateway:Migrations:{setting}", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Good_migration_settings_start()
    {
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Migrations:ObjectRetries"] = "0",
            ["Gateway:Migrations:RetryBaseDelay"] = "00:00:00.001",
            ["Gateway:Migrations:RetryMaxDelay"] = "00:00:00.001",
            ["Gateway:Migrations:InterruptAfterFailures"] = "1",
            ["Gateway:Migrations:LargeObjectPartsInFlight"] = "1",
        });
        using var response = await server.Client.GetAsync("v1/migrations");
        Assert.True(response.IsSuccessStatusCode, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
