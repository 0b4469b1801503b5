using System.Net;
using System.Net.Sockets;
using Gateway.Channel.Identity;
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
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var host = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["role"] = "bridge-host",
            [$"Gateway:Stores:{Store}:Kind"] = "local",
            [$"Gateway:Stores:{Store}:Root"] = Path.Combine(Root, "objects"),
            ["Gateway:Channel:KeyFile"] = hostFiles.PrivatePath,
            ["Gateway:Channel:Listen"] = $"127.0.0.1:{port}",
            ["Gateway:Channel:AllowedClients:0"] = edgeFiles.PublicPath,
        });
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
        // The edge's own copy is never used: every call goes to the bridge host's store of the same name.
        ["Root"] = Path.Combine(Root, "edge-unused"),
    };

    protected override IReadOnlyDictionary<string, string?> GatewaySettings => Setup.Value.GetAwaiter().GetResult().Edge;

    /// <summary>The same local store as LocalStoreConformanceTests (10,000), here to test the remote transport.</summary>
    protected override int ManyObjects => 2_000;

    protected override void EnsureBackendAvailable()
    {
        var (host, _) = Setup.Value.GetAwaiter().GetResult();
        if (host.Services is null) throw new InvalidOperationException("The CTP-96 bridge host (a gateway with --role bridge-host) did not start.");
    }

    [Fact]
    public void Objects_land_on_the_bridge_host_not_the_edge()
    {
        Assert.True(Directory.Exists(Path.Combine(Root, "objects")));
        var edgeRoot = Path.Combine(Root, "edge-unused");
        // The edge's store keeps its lock and index files at its root; no bucket or object may appear there.
        var edgeFiles = Directory.Exists(edgeRoot)
            ? Directory.EnumerateFiles(edgeRoot, "*", SearchOption.AllDirectories)
                .Where(f => Path.GetDirectoryName(f) != edgeRoot && !f.Contains(".tmp")).ToList()
            : [];
        Assert.Empty(edgeFiles);
    }
}
