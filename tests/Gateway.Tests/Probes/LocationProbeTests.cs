using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Testing;
using Gateway.Testing.OpenApi;
using Xunit;

namespace Gateway.Tests.Probes;

/// <summary>
/// Every Location the gateway sends names something a GET (and HEAD) of the same caller finds: what a created bucket or
/// an accepted migration points at, while it exists, and a 404 problem once it is gone.
/// </summary>
public sealed class LocationProbeTests : IAsyncLifetime
{
    private GatewayServer _server = null!;
    private readonly OpenApiContract _contract = OpenApiContract.Load();

    public async Task InitializeAsync() => _server = await GatewayServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_location_of_a_created_bucket_answers_GET_and_HEAD_until_the_bucket_is_deleted()
    {
        using var created = await _server.Client.PutAsync("v1/stores/local/buckets/located", null);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.ToString();
        Assert.Equal("/v1/stores/local/buckets/located", location);
        // It answered 405: the bucket's path had PUT and DELETE only.
        var get = await RawHttp.SendAsync(_server, "GET", location);
        Assert.True(get.Status == 200, $"GET {location}: {get.Status} {get.Payload}");
        Assert.Null(_contract.Check("GET", "/v1/stores/{store}/buckets/{bucket}", get));
        using (var bucket = JsonDocument.Parse(get.Payload))
        {
            Assert.Equal("located", bucket.RootElement.GetProperty("name").GetString());
            Assert.Equal("local", bucket.RootElement.GetProperty("store").GetString());
        }
        Assert.Equal(200, (await RawHttp.SendAsync(_server, "HEAD", location)).Status);
        using (var deleted = await _server.Client.DeleteAsync(location.TrimStart('/'))) Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var gone = await RawHttp.SendAsync(_server, "GET", location);
        Assert.Equal(404, gone.Status);
        Assert.StartsWith("application/problem+json", gone.ContentType, StringComparison.Ordinal);
        Assert.Null(_contract.Check("GET", "/v1/stores/{store}/buckets/{bucket}", gone));
        Assert.Equal(404, (await RawHttp.SendAsync(_server, "HEAD", location)).Status);
        // A name no store can hold is the usual 400, never a call to the store.
        Assert.Equal(400, (await RawHttp.SendAsync(_server, "GET", "/v1/stores/local/buckets/Bad_Bucket")).Status);
    }

    [Fact]
    public async Task The_location_of_an_accepted_migration_answers_GET()
    {
        foreach (var bucket in new[] { "located-from", "located-to" })
            (await _server.Client.PutAsync($"v1/stores/local/buckets/{bucket}", null)).EnsureSuccessStatusCode();
        using var accepted = await _server.Client.PostAsync("v1/migrations", new StringContent(
            "{\"source\":{\"store\":\"local\",\"bucket\":\"located-from\"},\"target\":{\"store\":\"local\",\"bucket\":\"located-to\"},\"dryRun\":true}",
            Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var job = await _server.Client.GetAsync(accepted.Headers.Location!.ToString().TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, job.StatusCode);
        Assert.Equal(id, (await job.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
    }
}
