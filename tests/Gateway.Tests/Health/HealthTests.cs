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
