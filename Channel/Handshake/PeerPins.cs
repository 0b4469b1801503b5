using Gateway.Channel.Identity;

namespace Gateway.Channel.Handshake;

/// <summary>The peer keys a node accepts, by fingerprint. An empty set accepts nobody.</summary>
public sealed class PeerPins(IEnumerable<KeyFingerprint> fingerprints)
{
    private readonly HashSet<KeyFingerprint> _pins = [.. fingerprints];

    public static PeerPins Of(params HybridPublicKey[] keys) => new(keys.Select(k => k.Fingerprint));

    public bool Contains(HybridPublicKey key) => _pins.Contains(key.Fingerprint);

    public IReadOnlyCollection<KeyFingerprint> Fingerprints => _pins;
}
