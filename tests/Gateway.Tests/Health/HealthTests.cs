using System.Net;
using Gateway.Testing;
using Xunit;

namespace Gateway.Tests.Health;

public sealed class HealthTests
{
    [Fact]
    public async Task Live_and_ready_answer_healthy()
    {
        await using var server = await GatewayServer.StartAsync();
        Assert.Equal("Healthy", await server.Client.GetStringAsync("health/live"));
        Assert.Equal("Healthy", await server.Client.GetStringAsync("health/ready"));
    }

    [Fact]
    public async Task Ready_fails_when_a_store_cannot_answer()
    {
        await using var server = await GatewayServer.StartAsync();
        // Take the default store's root away from under it: the store can no longer list its buckets.
        Directory.Delete(Path.Combine(server.DataDirectory, "objects"), recursive: true);
        File.WriteAllText(Path.Combine(server.DataDirectory, "objects"), "not a folder");
        using var ready = await server.Client.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var live = await server.Client.GetAsync("health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Ready_reuses_the_stores_answer_for_the_check_interval_so_strangers_cannot_drive_store_calls()
    {
        // Until this test every anonymous /health/ready listed the buckets of every store, one after another.
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?> { ["Gateway:Health:StoreCheckInterval"] = "01:00:00" });
        Assert.Equal("Healthy", await server.Client.GetStringAsync("health/ready"));
        Directory.Delete(Path.Combine(server.DataDirectory, "objects"), recursive: true);
        File.WriteAllText(Path.Combine(server.DataDirectory, "objects"), "not a folder");
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => server.Client.GetAsync("health/ready")));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        foreach (var a in answers) a.Dispose();
    }

    [Fact]
    public async Task A_store_check_interval_out_of_range_stops_start_up_naming_the_setting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Health:StoreCheckInterval"] = "-00:00:01",
        }));
        Assert.Contains("Gateway:Health:StoreCheckInterval", error.Message);
    }

    [Fact]
    public async Task A_bad_store_configuration_stops_start_up_naming_the_setting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Stores:broken:Kind"] = "no-such-kind",
        }));
        Assert.Contains("Gateway:Stores:broken:Kind", error.ToString());
    }

    [Fact]
    public async Task Unknown_routes_and_methods_are_problem_json()
    {
        await using var server = await GatewayServer.StartAsync();
        using var missing = await server.Client.GetAsync("v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        using var method = await server.Client.PostAsync("v1/stores", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method.StatusCode);
        Assert.Equal("application/problem+json", method.Content.Headers.ContentType?.MediaType);
    }
}
