using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Channel.Families;
using Gateway.Channel.Identity;
using Gateway.Contracts.ObjectStorage;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Channel.Tests;

/// <summary>
/// A remote-mode gateway learns its instances from the bridge host's catalog: without one it answers 503 problem+json
/// saying why (and is not ready), and after a reconnect to a host restarted with other settings it serves the new ones.
/// </summary>
public sealed class RemoteCatalogTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ctp96-remote-catalog-").FullName;
    private readonly HybridSigningKey _hostKey = HybridSigningKey.Generate();
    private readonly HybridSigningKey _edgeKey = HybridSigningKey.Generate();
    private readonly int _port = LoopbackPort.Free();
    private readonly Lazy<string> _hostKeyFile;
    private readonly Lazy<string> _edgeKeyFile;

    public RemoteCatalogTests()
    {
        _hostKeyFile = new(() => KeyFiles.Write(_hostKey, Path.Combine(_root, "keys"), "host").PrivatePath);
        _edgeKeyFile = new(() => KeyFiles.Write(_edgeKey, Path.Combine(_root, "keys"), "edge").PrivatePath);
    }

    [Fact]
    public async Task Without_a_reachable_bridge_host_bridge_calls_answer_503_and_the_gateway_is_not_ready()
    {
        await using var edge = await GatewayServer.StartAsync(EdgeSettings());

        foreach (var url in new[] { "v1/stores/local/buckets", "v1/stores", "v1/docker/engine/version", "v1/kubernetes/prod/namespaces", "v1/rest/orders/x" })
        {
            using var response = await edge.Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("unavailable", problem.GetProperty("code").GetString());
            Assert.Contains($"The bridge catalog of the bridge host 127.0.0.1:{_port} could not be fetched", problem.GetProperty("detail").GetString());
        }
        // The bridge listing (and the status page) still answers: one unhealthy entry per family says why it knows no instance.
        var bridges = await edge.Client.GetFromJsonAsync<JsonElement>("v1/bridges");
        var stores = bridges.GetProperty("bridges").EnumerateArray().Single(b => b.GetProperty("kind").GetString() == "object-storage");
        Assert.Equal("bridge-host", stores.GetProperty("name").GetString());
        Assert.Equal("unhealthy", stores.GetProperty("health").GetString());
        Assert.Contains("could not be fetched", stores.GetProperty("lastError").GetString());
        using (var status = await edge.Client.GetAsync("status"))
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        using var ready = await edge.Client.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("bridge catalog", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_gateway_that_started_before_its_bridge_host_serves_it_once_the_host_is_up()
    {
        await using var edge = await GatewayServer.StartAsync(EdgeSettings());
        using (var before = await edge.Client.GetAsync("v1/stores/first/buckets"))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);

        await using (var host = await StartHostAsync("first"))
        {
            // The failed answer started a new fetch; the next calls find the store once it is in.
            await EventuallyAsync(edge, "v1/stores/first/buckets", HttpStatusCode.OK);
        }

        // The host restarts on the same address with another store: the new connection fetches the new catalog.
        await using var restarted = await StartHostAsync("second");
        await EventuallyAsync(edge, "v1/stores/second/buckets", HttpStatusCode.OK);
        using var gone = await edge.Client.GetAsync("v1/stores/first/buckets");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    /// <summary>
    /// The bridge listing of a remote-mode gateway shows the host's statuses as last fetched; while the host does not
    /// answer they are unhealthy, saying so, not the host's last "healthy" (until session 46 they stayed as last fetched
    /// for as long as the host was down).
    /// </summary>
    [Fact]
    public async Task While_the_bridge_host_is_down_the_bridge_listing_shows_its_instances_unhealthy_and_why()
    {
        await using var edge = await GatewayServer.StartAsync(EdgeSettings());
        await using (var host = await StartHostAsync("first"))
        {
            await EventuallyAsync(edge, "v1/stores/first/buckets", HttpStatusCode.OK);
            Assert.NotEqual("unhealthy", (await FirstStoreAsync(edge)).GetProperty("health").GetString());
        }

        // Calls now fail (the connection is gone, then every dial is refused), and the listing says the host is not answering.
        await EventuallyAsync(edge, "v1/stores/first/buckets", HttpStatusCode.ServiceUnavailable);
        var down = await FirstStoreAsync(edge);
        Assert.Equal("unhealthy", down.GetProperty("health").GetString());
        Assert.Contains($"The bridge host 127.0.0.1:{_port} is not answering", down.GetProperty("lastError").GetString());

        // The host back: the next catalog fetched clears it.
        await using var back = await StartHostAsync("first");
        await EventuallyAsync(edge, "v1/stores/first/buckets", HttpStatusCode.OK);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await FirstStoreAsync(edge)).GetProperty("health").GetString() == "unhealthy")
        {
            Assert.True(DateTime.UtcNow < deadline, "the listing still shows the host's store unhealthy after it came back");
            await Task.Delay(50); // polling interval of a bounded wait for the catalog fetch a new connection starts
        }
    }

    private static async Task<JsonElement> FirstStoreAsync(GatewayServer edge)
    {
        var bridges = await edge.Client.GetFromJsonAsync<JsonElement>("v1/bridges");
        return bridges.GetProperty("bridges").EnumerateArray()
            .Single(b => b.GetProperty("kind").GetString() == "local" && b.GetProperty("name").GetString() == "first");
    }

    [Fact]
    public async Task A_migrating_store_is_the_remote_gateways_own_and_reads_through_the_hosts_stores()
    {
        await using var host = await StartHostAsync("old", "new");
        var settings = EdgeSettings();
        settings["Gateway:Stores:moving:Kind"] = "migrating";
        settings["Gateway:Stores:moving:From"] = "old";
        settings["Gateway:Stores:moving:To"] = "new";
        // Its parts are the bridge host's stores: here they are only named, nothing else of them is read.
        settings["Gateway:Stores:old:Kind"] = "local";
        settings["Gateway:Stores:new:Kind"] = "local";
        await using var edge = await GatewayServer.StartAsync(settings);
        Assert.Equal(["moving"], edge.Services.GetRequiredService<BridgeRegistry<IObjectStore>>().Built.Select(b => b.Name));
        // The catalog fetched at start can miss its 5 s bound on a loaded machine; readiness says when it is in.
        await EventuallyAsync(edge, "health/ready", HttpStatusCode.OK);

        foreach (var store in new[] { "old", "new" })
            using (var created = await edge.Client.PutAsync($"v1/stores/{store}/buckets/shelf", null))
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using (var put = await edge.Client.PutAsync("v1/stores/old/buckets/shelf/objects/book.txt", new StringContent("still in the old store")))
            Assert.True(put.IsSuccessStatusCode, $"{(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        Assert.Equal("still in the old store", await edge.Client.GetStringAsync("v1/stores/moving/buckets/shelf/objects/book.txt"));
        // The read went to the bridge host's "old" store as a call of its own (the migrating store has no channel of its own).
        var audit = await edge.Client.GetFromJsonAsync<JsonElement>("v1/audit?after=0&limit=1000");
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(),
            e => e.GetProperty("operation").GetString() == "object-storage.get-object" && e.GetProperty("target").GetString() == "old/shelf/book.txt");
        Assert.DoesNotContain(audit.GetProperty("entries").EnumerateArray(), e => e.GetProperty("target").GetString()!.StartsWith("moving/", StringComparison.Ordinal));
    }

    private Dictionary<string, string?> EdgeSettings()
    {
        return new()
        {
            ["Gateway:Channel:Mode"] = "remote",
            ["Gateway:Channel:KeyFile"] = _edgeKeyFile.Value,
            ["Gateway:Channel:Remote:Address"] = $"127.0.0.1:{_port}",
            ["Gateway:Channel:Remote:HostKey"] = _hostKey.PublicKey.ToText(),
            ["Gateway:Channel:Remote:CatalogTimeout"] = "00:00:05",
        };
    }

    private Task<GatewayServer> StartHostAsync(params string[] stores)
    {
        var settings = new Dictionary<string, string?>
        {
            ["role"] = "bridge-host",
            ["Gateway:Channel:KeyFile"] = _hostKeyFile.Value,
            ["Gateway:Channel:Listen"] = $"127.0.0.1:{_port}",
            ["Gateway:Channel:AllowedClients:0"] = _edgeKey.PublicKey.ToText(),
        };
        foreach (var store in stores)
        {
            settings[$"Gateway:Stores:{store}:Kind"] = "local";
            settings[$"Gateway:Stores:{store}:Root"] = Path.Combine(_root, store);
        }
        return GatewayServer.StartAsync(settings);
    }

    /// <summary>Asks until the answer is <paramref name="status"/> (each 503 or 404 starts or awaits a catalog fetch), for at most 30 s.</summary>
    private static async Task EventuallyAsync(GatewayServer edge, string url, HttpStatusCode status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var response = await edge.Client.GetAsync(url);
            if (response.StatusCode == status) return;
            Assert.True(DateTime.UtcNow < deadline, $"{url}: still {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(50); // polling interval of a bounded wait
        }
    }


    public void Dispose()
    {
        _hostKey.Dispose();
        _edgeKey.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
