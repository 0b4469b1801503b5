using Gateway.Contracts.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gateway.Channel.Connections;
using Gateway.Channel.Handshake;
using Gateway.Channel.Rpc;
using Gateway.Channel.Transport;

namespace Gateway.ChannelHosting;

/// <summary>
/// `--role bridge-host`: serves every family's instances to pinned gateways over CTP-96 on TCP. Being a hosted
/// service, it also builds the channel runtime at start in every role, so missing keys stop the gateway with the setting named,
/// and in a remote-mode gateway fetches the bridge host's catalog before the gateway takes requests.
/// </summary>
internal sealed partial class BridgeHostService(ChannelRuntime runtime, ILogger<BridgeHostService> log) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // A failed fetch is logged and retried: the gateway starts, and bridge calls answer 503 saying why until one succeeds.
        if (runtime.Catalog is { } catalog) await catalog.RefreshAsync().WaitAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!runtime.IsBridgeHost) return;
        TcpListener listener;
        try
        {
            var (host, port) = ChannelRuntime.ParseEndpoint(runtime.Options.Listen, "Gateway:Channel:Listen", anyPort: true);
            var address = host is "*" or "0.0.0.0" ? IPAddress.Any : host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(host);
            listener = TcpTransport.Listen(new IPEndPoint(address, port));
        }
        catch (Exception e)
        {
            runtime.ReportListenFailed(e);
            throw;
        }
        var bound = (IPEndPoint)listener.LocalEndpoint;
        var options = new ChannelOptions { LocalKey = runtime.Key, PinnedPeers = PeerPins.Of([.. runtime.AllowedClients]), LoggerFactory = runtime.Loggers, SendWindow = runtime.Options.SendWindow };
        var channelHost = new ChannelHost(options, runtime.Handlers)
        {
            IdleHeadInterval = runtime.Options.IdleHeadInterval,
            HandshakeLimits = runtime.Options.Handshakes,
        };
        Listening(log, bound.ToString(), runtime.Key.PublicKey.Fingerprint.ToString());
        runtime.ReportListening(bound);
        try { await channelHost.ListenAsync(listener, stoppingToken); }
        finally { listener.Stop(); }
    }

    [LoggerMessage(EventId = EventIds.BridgeHostListening, Level = LogLevel.Information, Message = "CTP-96 bridge host listening on {Endpoint} with key {Fingerprint}")]
    private static partial void Listening(ILogger logger, string endpoint, string fingerprint);
}
