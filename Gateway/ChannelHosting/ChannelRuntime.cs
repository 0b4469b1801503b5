using System.Net;
using Gateway.Channel.Audit;
using Gateway.Channel.Connections;
using Gateway.Channel.Families.Catalog;
using Gateway.Channel.Handshake;
using Gateway.Channel.Identity;
using Gateway.Channel.Rpc;
using Gateway.Channel.Transport;
using Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.ChannelHosting;

/// <summary>
/// The gateway's channel state: this node's key, the audit chain, and the client that reaches the bridge host,
/// either in-process (an in-memory duplex pipe to a <see cref="ChannelHost"/> in this process; same framing and
/// crypto as TCP) or remote (TCP to `--role bridge-host`, pinned key).
/// </summary>
public sealed class ChannelRuntime : IAsyncDisposable
{
    public const string BridgeHostRole = "bridge-host";

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lazy<ChannelClient> _client;
    private readonly ILoggerFactory _loggers;
    private readonly (string Host, int Port) _remote;

    public ChannelRuntime(IOptions<ChannelGatewayOptions> options, IOptions<GatewayOptions> gateway, IConfiguration configuration,
        IHostEnvironment environment, ILoggerFactory loggers, IEnumerable<IChannelCallHandler> handlers)
    {
        Handlers = handlers.ToArray();
        Options = options.Value;
        _loggers = loggers;
        Role = RoleOf(configuration);
        if (Role is not ("gateway" or BridgeHostRole))
            throw new InvalidOperationException($"Gateway:Role (or --role) must be 'gateway' or '{BridgeHostRole}' (got '{Role}').");
        var dataDirectory = gateway.Value.DataDirectory;
        KeyFile = Options.KeyFile ?? ChannelKeys.DefaultKeyFile(dataDirectory);
        Key = ChannelKeys.LoadOrCreate(KeyFile, mayGenerate: environment.IsDevelopment() && Options.KeyFile is null);
        IsRemote = string.Equals(Options.Mode, "remote", StringComparison.OrdinalIgnoreCase);
        if (!IsRemote && !string.Equals(Options.Mode, "in-process", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Gateway:Channel:Mode must be 'in-process' or 'remote' (got '{Options.Mode}').");

        if (IsBridgeHost)
        {
            if (Options.AllowedClients.Count == 0)
                throw new InvalidOperationException("Gateway:Channel:AllowedClients: a bridge host needs the pinned public key of every gateway allowed to connect.");
            AllowedClients = Options.AllowedClients.Select((k, i) => ChannelKeys.ParsePublic(k, $"Gateway:Channel:AllowedClients:{i}")).ToArray();
            HostKeys = [Key.PublicKey];
        }
        else if (IsRemote)
        {
            if (string.IsNullOrWhiteSpace(Options.Remote.Address) || string.IsNullOrWhiteSpace(Options.Remote.HostKey))
                throw new InvalidOperationException("Gateway:Channel:Remote:Address and Gateway:Channel:Remote:HostKey are required when Gateway:Channel:Mode is 'remote'.");
            HostKeys = [ChannelKeys.ParsePublic(Options.Remote.HostKey, "Gateway:Channel:Remote:HostKey")];
            _remote = ParseEndpoint(Options.Remote.Address, "Gateway:Channel:Remote:Address");
            Catalog = new RemoteBridgeCatalog(() => Client, Options.Remote.Address, loggers.CreateLogger<RemoteBridgeCatalog>(),
                Options.Remote.CatalogTimeout, Options.Remote.CatalogMaxAge);
        }
        else
        {
            // In process, one node key signs both ends; the host pins the gateway and the gateway pins the host.
            HostKeys = [Key.PublicKey];
        }
        Audit = OpenAudit(Options.AuditDatabase, dataDirectory);
        PendingAuditEndpoints.WarnIfUnresolved(Audit, loggers.CreateLogger<ChannelRuntime>());
        _client = new Lazy<ChannelClient>(CreateClient);
    }

    /// <summary>The start names the setting and the file (session-43 probe: "SQLite Error 26: 'file is not a database'" alone).</summary>
    private static AuditLog OpenAudit(string? configured, string dataDirectory)
    {
        var path = configured ?? Path.Combine(dataDirectory, "audit.db");
        try { return new AuditLog(path); }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            var setting = configured is null ? "Gateway:DataDirectory (its audit.db)" : "Gateway:Channel:AuditDatabase";
            throw new InvalidOperationException($"{setting}: the audit database '{path}' cannot be opened: {e.Message}", e);
        }
    }

    /// <summary>"gateway", or "bridge-host" (from --role or Gateway:Role).</summary>
    public static string RoleOf(IConfiguration configuration) => configuration["role"] ?? configuration["Gateway:Role"] ?? "gateway";

    /// <summary>Whether this process builds its bridges: the bridge host and an in-process gateway do; a remote-mode gateway does not.</summary>
    public static bool BuildsBridges(IConfiguration configuration) => RoleOf(configuration) == BridgeHostRole
        || !string.Equals(configuration[$"{ChannelGatewayOptions.Section}:{nameof(ChannelGatewayOptions.Mode)}"], "remote", StringComparison.OrdinalIgnoreCase);

    public ChannelGatewayOptions Options { get; }
    public string Role { get; }
    public bool IsBridgeHost => Role == BridgeHostRole;
    public bool IsRemote { get; }
    /// <summary>A remote-mode gateway's view of what the bridge host serves; null in the other roles and modes.</summary>
    public RemoteBridgeCatalog? Catalog { get; }
    public string KeyFile { get; }
    public HybridSigningKey Key { get; }
    public AuditLog Audit { get; }
    /// <summary>Keys whose witnesses this gateway accepts (what `audit verify` checks against).</summary>
    public IReadOnlyList<HybridPublicKey> HostKeys { get; }
    public IReadOnlyList<HybridPublicKey> AllowedClients { get; } = [];
    public ChannelClient Client => _client.Value;
    /// <summary>The dispatchers of every bridge family (registered in DI by AddBridgeFamily): what the bridge host serves.</summary>
    public IReadOnlyList<IChannelCallHandler> Handlers { get; }
    public ILoggerFactory Loggers => _loggers;

    /// <summary>
    /// The bridge host's bound TCP endpoint, once it listens (the port the system chose when `Listen` names port 0);
    /// faulted when it cannot listen. Never completes in the other roles.
    /// </summary>
    public Task<IPEndPoint> BridgeHostEndpoint => _bridgeHostEndpoint.Task;
    private readonly TaskCompletionSource<IPEndPoint> _bridgeHostEndpoint = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal void ReportListening(IPEndPoint endpoint) => _bridgeHostEndpoint.TrySetResult(endpoint);

    internal void ReportListenFailed(Exception error) => _bridgeHostEndpoint.TrySetException(error);

    private ChannelClient CreateClient()
    {
        var pins = PeerPins.Of([.. HostKeys]);
        var channel = new ChannelOptions { LocalKey = Key, PinnedPeers = pins, LoggerFactory = _loggers, PeerLabel = IsRemote ? Options.Remote.Address! : "in-process", SendWindow = Options.SendWindow };
        if (IsRemote)
        {
            var (host, port) = _remote;
            return new ChannelClient(new ChannelClientOptions
            {
                Channel = channel,
                Connect = async ct =>
                {
                    Stream connection;
                    try { connection = await TcpTransport.ConnectAsync(host, port, ct); }
                    catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                    {
                        Catalog?.HostUnreachable(e.Message);
                        throw;
                    }
                    // A new connection may reach a restarted host with other instances: ask again (once the handshake is done).
                    Catalog?.RefreshSoon();
                    return connection;
                },
                Witnesses = Audit,
                HeadTimeout = Options.HeadTimeout,
            });
        }
        var hostOptions = new ChannelOptions { LocalKey = Key, PinnedPeers = PeerPins.Of(Key.PublicKey), LoggerFactory = _loggers, PeerLabel = "in-process", SendWindow = Options.SendWindow };
        var bridgeHost = new ChannelHost(hostOptions, Handlers)
        {
            IdleHeadInterval = Options.IdleHeadInterval,
        };
        return new ChannelClient(new ChannelClientOptions
        {
            Channel = channel,
            Connect = ct =>
            {
                var (client, server) = DuplexPipe.CreatePair();
                _ = Task.Run(() => bridgeHost.ServeConnectionAsync(server, "in-process", _stopping.Token), CancellationToken.None);
                return Task.FromResult(client);
            },
            Witnesses = Audit,
            HeadTimeout = Options.HeadTimeout,
        });
    }

    /// <summary>host:port; port 0 (any free port) only where <paramref name="anyPort"/> allows it (a listener).</summary>
    internal static (string Host, int Port) ParseEndpoint(string value, string setting, bool anyPort = false)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value[(colon + 1)..], out var port) || port is < 0 or > 65535 || (port == 0 && !anyPort))
            throw new InvalidOperationException($"{setting} must be host:port (got '{value}').");
        return (value[..colon].Trim('[', ']'), port);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_client.IsValueCreated) await _client.Value.DisposeAsync();
        Audit.Dispose();
        _stopping.Dispose();
    }
}
