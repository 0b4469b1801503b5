using Gateway.ChannelHosting;
using System.Net;
using System.Net.Sockets;
using Gateway.Bridges.Local;
using Gateway.Channel.Audit;
using Gateway.Channel.Connections;
using Gateway.Channel.Handshake;
using Gateway.Channel.Families;
using Gateway.Channel.Families.ObjectStorage;
using Gateway.Channel.Rpc;
using Gateway.Channel.Transport;
using Gateway.Channel.Witnesses;
using Gateway.Contracts.ObjectStorage;

namespace Gateway.Channel.Tests;

/// <summary>
/// A gateway-side <see cref="ChannelClient"/> wired to a real <see cref="ChannelHost"/> running a real Local store,
/// over an in-memory pipe or loopback TCP, optionally through a frame-level man in the middle.
/// </summary>
internal sealed class ChannelHarness : IAsyncDisposable
{
    private CancellationTokenSource _stop = new();
    private readonly List<Task> _serving = [];
    private TcpListener? _listener;
    private Task? _listening;

    public required string Root { get; init; }
    public required ChannelHost Host { get; init; }
    public required ChannelClient Client { get; init; }
    public required AuditLog Audit { get; init; }
    public required TestLoggerFactory Logs { get; init; }
    public required LocalObjectStore Store { get; init; }
    public IObjectStore Remote => FamilyClient.Create(ObjectStorageFamily.Declaration, () => Client, Store.Name, (IObjectStore)Store);
    public FrameRelay? Relay { get; private set; }
    public int Port { get; private set; }

    public static ChannelHarness Create(bool tcp = false, bool relay = false, Action<ChannelHost>? configureHost = null,
        Func<ChannelOptions, ChannelOptions>? hostOptions = null, Func<ChannelOptions, ChannelOptions>? clientOptions = null,
        Func<Stream, Stream, FrameRelay>? relayFactory = null, Action<FrameRelay>? configureRelay = null, TimeSpan? headTimeout = null,
        string? root = null, Func<IWitnessSink, IWitnessSink>? witnesses = null, TimeSpan? backoff = null, TimeSpan? witnessTimeout = null)
    {
        root ??= Path.Combine(Path.GetTempPath(), "ctp96-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var logs = new TestLoggerFactory();
        var store = new LocalObjectStore("local", new LocalStoreOptions { Root = Path.Combine(root, "objects") });
        var hostOpts = new ChannelOptions { LocalKey = TestKeys.Host, PinnedPeers = PeerPins.Of(TestKeys.Gateway.PublicKey), LoggerFactory = logs, PeerLabel = "gateway" };
        if (hostOptions is not null) hostOpts = hostOptions(hostOpts);
        var host = new ChannelHost(hostOpts, [new FamilyDispatcher<IObjectStore>(ObjectStorageFamily.Declaration, n => n == store.Name ? store : null)]);
        configureHost?.Invoke(host);
        var audit = new AuditLog(Path.Combine(root, "audit.db"));
        ChannelHarness? harness = null;
        var clientOpts = new ChannelOptions { LocalKey = TestKeys.Gateway, PinnedPeers = PeerPins.Of(TestKeys.Host.PublicKey), LoggerFactory = logs, PeerLabel = "bridge-host" };
        if (clientOptions is not null) clientOpts = clientOptions(clientOpts);
        var client = new ChannelClient(new ChannelClientOptions
        {
            Channel = clientOpts,
            Connect = ct => harness!.ConnectAsync(tcp, relay, relayFactory, configureRelay, ct),
            Witnesses = witnesses is null ? audit : witnesses(audit),
            InitialBackoff = backoff ?? TimeSpan.FromMilliseconds(1),
            MaxBackoff = (backoff ?? TimeSpan.FromMilliseconds(1)) * 5,
            WitnessTimeout = witnessTimeout ?? TimeSpan.FromSeconds(5),
            // Generous: the shared test machine may be busy; the tests of the bound set their own.
            HeadTimeout = headTimeout ?? TimeSpan.FromSeconds(10),
        });
        harness = new ChannelHarness { Root = root, Host = host, Client = client, Audit = audit, Logs = logs, Store = store };
        if (tcp) harness.StartListening();
        return harness;
    }

    public void StartListening(int port = 0)
    {
        if (_stop.IsCancellationRequested) _stop = new CancellationTokenSource();
        _listener = TcpTransport.Listen(new IPEndPoint(IPAddress.Loopback, port));
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _listening = Host.ListenAsync(_listener, _stop.Token);
    }

    /// <summary>Kills the TCP bridge host: stops listening and drops every connection, as a crash would.</summary>
    public async Task KillHostAsync()
    {
        await _stop.CancelAsync();
        _listener?.Stop();
        if (_listening is not null) await _listening;
    }

    private async Task<Stream> ConnectAsync(bool tcp, bool relay, Func<Stream, Stream, FrameRelay>? relayFactory, Action<FrameRelay>? configureRelay, CancellationToken ct)
    {
        Stream clientSide;
        Stream hostSide;
        if (tcp)
        {
            if (relay) throw new NotSupportedException("The relay runs on in-memory pipes.");
            return await TcpTransport.ConnectAsync("127.0.0.1", Port, ct);
        }
        (clientSide, hostSide) = DuplexPipe.CreatePair();
        if (relay)
        {
            var (relayClient, relayHost) = DuplexPipe.CreatePair();
            Relay = (relayFactory ?? ((a, b) => new FrameRelay(a, b)))(hostSide, relayClient);
            configureRelay?.Invoke(Relay);
            hostSide = relayHost;
        }
        var serveStream = hostSide;
        _serving.Add(Task.Run(() => Host.ServeConnectionAsync(serveStream, "gateway", _stop.Token)));
        return clientSide;
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _stop.CancelAsync();
        _listener?.Stop();
        if (_listening is not null) await _listening;
        if (Relay is not null) await Relay.DisposeAsync();
        Audit.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
