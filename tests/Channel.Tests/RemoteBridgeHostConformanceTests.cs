using Gateway.Channel.Families;
using Gateway.Channel.Identity;
using Gateway.ChannelHosting;
using Gateway.Contracts.ObjectStorage;
using Microsoft.Extensions.DependencyInjection;
using Gateway.Testing;
using Gateway.Testing.Conformance;

namespace Gateway.Channel.Tests;

/// <summary>
/// The whole object-store conformance suite against an edge gateway whose store lives on a second gateway
/// started with `--role bridge-host`, reached over CTP-96 on loopback TCP with pinned keys on both sides.
/// </summary>
public sealed class RemoteBridgeHostConformanceTests : ObjectStoreConformanceTests
{
    private static readonly Lazy<Task<(GatewayServer Host, Dictionary<string, string?> Edge)>> Setup = new(StartHostAsync);

    private static readonly string Root = Directory.CreateTempSubdirectory("ctp96-remote-conf-").FullName;

    private static async Task<(GatewayServer, Dictionary<string, string?>)> StartHostAsync()
    {
        var keys = Path.Combine(Root, "keys");
        using var hostKey = HybridSigningKey.Generate();
        using var edgeKey = HybridSigningKey.Generate();
        var hostFiles = KeyFiles.Write(hostKey, keys, "host");
        var edgeFiles = KeyFiles.Write(edgeKey, keys, "edge");
        var host = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["role"] = "bridge-host",
            [$"Gateway:Stores:{Store}:Kind"] = "local",
            [$"Gateway:Stores:{Store}:Root"] = Path.Combine(Root, "objects"),
            ["Gateway:Channel:KeyFile"] = hostFiles.PrivatePath,
            ["Gateway:Channel:Listen"] = "127.0.0.1:0",
            ["Gateway:Channel:AllowedClients:0"] = edgeFiles.PublicPath,
        });
        var port = (await host.Services.GetRequiredService<ChannelRuntime>().BridgeHostEndpoint).Port;
        var edge = new Dictionary<string, string?>
        {
            ["Gateway:Channel:Mode"] = "remote",
            ["Gateway:Channel:KeyFile"] = edgeFiles.PrivatePath,
            ["Gateway:Channel:Remote:Address"] = $"127.0.0.1:{port}",
            ["Gateway:Channel:Remote:HostKey"] = hostKey.PublicKey.ToText(),
        };
        return (host, edge);
    }

    protected override IReadOnlyDictionary<string, string?> StoreSettings => new Dictionary<string, string?>
    {
        ["Kind"] = "local",
        // The edge neither reads nor builds this copy: it learns the store from the bridge host's catalog.
        ["Root"] = Path.Combine(Root, "edge-unused"),
    };

    protected override IObjectStore StoreBridge =>
        Setup.Value.GetAwaiter().GetResult().Host.Services.GetRequiredService<BridgeRegistry<IObjectStore>>().FindBridge(Store)!;

    protected override IReadOnlyDictionary<string, string?> GatewaySettings => Setup.Value.GetAwaiter().GetResult().Edge;

    /// <summary>The same local store as LocalStoreConformanceTests (10,000), here to test the remote transport.</summary>
    protected override int ManyObjects => 2_000;

    protected override void EnsureBackendAvailable()
    {
        var (host, _) = Setup.Value.GetAwaiter().GetResult();
        if (host.Services is null) throw new InvalidOperationException("The CTP-96 bridge host (a gateway with --role bridge-host) did not start.");
    }

    [Fact]
    public async Task Objects_land_on_the_bridge_host_not_the_edge()
    {
        // This test writes its own object (it does not rely on other tests having run) and looks on both sides.
        var key = "landing-" + Guid.NewGuid().ToString("N");
        var body = Bytes("written through the edge");
        await PutOkAsync(key, body);

        var (host, _) = await Setup.Value;
        var hostStore = host.Services.GetRequiredService<BridgeRegistry<IObjectStore>>().FindBridge(Store)!;
        var info = await hostStore.HeadObjectAsync(Bucket, key, ObjectConditions.None, CancellationToken.None);
        Assert.Equal(body.Length, info.Size);
        Assert.True(Directory.Exists(Path.Combine(Root, "objects", Bucket)), "the bucket is not on the bridge host's disk");

        // The edge built no store of its own: its configured copy was never opened, so its root was never made.
        Assert.Empty(Server.Services.GetRequiredService<BridgeRegistry<IObjectStore>>().Built);
        Assert.False(Directory.Exists(Path.Combine(Root, "edge-unused")), "the edge opened a store of its own");
    }
}
