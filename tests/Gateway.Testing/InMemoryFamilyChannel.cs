using Gateway.Channel.Audit;
using Gateway.Channel.Connections;
using Gateway.Channel.Families;
using Gateway.Channel.Handshake;
using Gateway.Channel.Identity;
using Gateway.Channel.Rpc;
using Gateway.Channel.Transport;

namespace Gateway.Testing;

/// <summary>
/// One bridge of a family behind a real CTP-96 channel (handshake, encrypted frames, witnesses, audit) over an in-memory
/// pipe: the family's generic client on the gateway side, its generic dispatcher on the host side.
/// </summary>
public sealed class InMemoryFamilyChannel<TBridge> : IAsyncDisposable where TBridge : class
{
    private readonly string _dir = Directory.CreateTempSubdirectory("family-channel-").FullName;
    private readonly CancellationTokenSource _stop = new();
    private readonly HybridSigningKey _gatewayKey = HybridSigningKey.Generate();
    private readonly HybridSigningKey _hostKey = HybridSigningKey.Generate();
    private readonly ChannelClient _client;

    /// <summary>Serves <paramref name="bridge"/> as the instance <paramref name="instance"/>; any other name is not found.</summary>
    public InMemoryFamilyChannel(BridgeFamily<TBridge> family, string instance, TBridge bridge)
    {
        Host = new ChannelHost(new ChannelOptions { LocalKey = _hostKey, PinnedPeers = PeerPins.Of(_gatewayKey.PublicKey) },
            [new FamilyDispatcher<TBridge>(family, n => n == instance ? bridge : null)]);
        Audit = new AuditLog(Path.Combine(_dir, "audit.db"));
        _client = new ChannelClient(new ChannelClientOptions
        {
            Channel = new ChannelOptions { LocalKey = _gatewayKey, PinnedPeers = PeerPins.Of(_hostKey.PublicKey) },
            Connect = ct =>
            {
                var (client, server) = DuplexPipe.CreatePair();
                _ = Task.Run(() => Host.ServeConnectionAsync(server, "test", _stop.Token), CancellationToken.None);
                return Task.FromResult(client);
            },
            Witnesses = Audit,
            // These channels carry tests of what crosses them, not of the witness and head bounds (WitnessTests has
            // those); a busy CI machine must not turn a late head into a failure here.
            WitnessTimeout = TimeSpan.FromSeconds(10),
            HeadTimeout = TimeSpan.FromSeconds(10),
        });
        Remote = FamilyClient.Create(family, () => _client, instance);
    }

    /// <summary>The gateway's view of the bridge: every call crosses the channel.</summary>
    public TBridge Remote { get; }

    /// <summary>The host side (tests tamper with its witnesses).</summary>
    public ChannelHost Host { get; }

    /// <summary>Where the gateway side keeps the witnesses it checked.</summary>
    public AuditLog Audit { get; }

    /// <summary>The key the bridge host signs witnesses with (what `AuditLog.Verify` checks against).</summary>
    public HybridPublicKey HostKey => _hostKey.PublicKey;

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _stop.CancelAsync();
        Audit.Dispose();
        _stop.Dispose();
        _gatewayKey.Dispose();
        _hostKey.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
