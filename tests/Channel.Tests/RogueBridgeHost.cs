using System.Net;
using Gateway.Bridges.Local;
using Gateway.Channel.Connections;
using Gateway.Channel.Families;
using Gateway.Channel.Families.Catalog;
using Gateway.Channel.Families.ObjectStorage;
using Gateway.Channel.Handshake;
using Gateway.Channel.Identity;
using Gateway.Channel.Rpc;
using Gateway.Channel.Transport;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Tests;

/// <summary>
/// A bridge host under the test's control (its hooks forge witnesses and heads, signed with the real host key),
/// reached over TCP by a real gateway, optionally through a <see cref="TcpFrameRelay"/> that alters frames in flight.
/// </summary>
internal sealed class RogueBridgeHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly System.Net.Sockets.TcpListener _listener;
    private readonly Task _listening;

    public RogueBridgeHost(bool relay = false)
    {
        Store = new LocalObjectStore("conf", new LocalStoreOptions { Root = Path.Combine(Dir, "objects") });
        var gatewayKey = HybridSigningKey.Generate();
        GatewayKeyFile = KeyFiles.Write(gatewayKey, Path.Combine(Dir, "keys"), "edge").PrivatePath;
        // Served as a bridge host serves it: the store's calls, and the catalog a remote-mode gateway learns the store from.
        var stores = new BridgeRegistry<IObjectStore>(ObjectStorageFamily.Declaration, [new BridgeInstance<IObjectStore>("conf", "local", Store)], channel: null);
        Host = new ChannelHost(new ChannelOptions { LocalKey = TestKeys.Host, PinnedPeers = PeerPins.Of(gatewayKey.PublicKey) },
            [stores.Dispatcher(), CatalogFamily.Dispatcher([stores])]);
        _listener = TcpTransport.Listen(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _listening = Host.ListenAsync(_listener, _stop.Token);
        if (relay) Relay = new TcpFrameRelay(Port);
    }

    public string Dir { get; } = Directory.CreateTempSubdirectory("ctp96-rogue-").FullName;
    public ChannelHost Host { get; }
    public LocalObjectStore Store { get; }
    public string GatewayKeyFile { get; }
    public int Port { get; }
    /// <summary>The man in the middle the gateway dials instead of the host (when asked for).</summary>
    public TcpFrameRelay? Relay { get; }

    public Dictionary<string, string?> EdgeSettings() => new()
    {
        ["Gateway:Stores:conf:Kind"] = "local",
        ["Gateway:Stores:conf:Root"] = Path.Combine(Dir, "edge-unused"),
        ["Gateway:Channel:Mode"] = "remote",
        ["Gateway:Channel:KeyFile"] = GatewayKeyFile,
        ["Gateway:Channel:Remote:Address"] = $"127.0.0.1:{Relay?.Port ?? Port}",
        ["Gateway:Channel:Remote:HostKey"] = TestKeys.Host.PublicKey.ToText(),
    };

    public async ValueTask DisposeAsync()
    {
        if (Relay is not null) await Relay.DisposeAsync();
        await _stop.CancelAsync();
        _listener.Stop();
        await _listening;
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
