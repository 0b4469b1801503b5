using Gateway.Channel.Identity;

namespace Gateway.Channel.Witnesses;

/// <summary>
/// The bridge host's witness chain: each witness names the hash of the one signed before it. The link is taken
/// under a lock (cheap); signing (≈2 ms of ML-DSA-65 + Ed25519) runs outside it so calls sign in parallel.
/// </summary>
public sealed class WitnessSigner(HybridSigningKey key)
{
    private readonly Lock _lock = new();
    private byte[] _previous = new byte[32];

    public HybridPublicKey PublicKey => key.PublicKey;

    /// <summary>Fills in the chain link and the host key, and signs.</summary>
    public Witness Sign(Witness unsigned)
    {
        Witness linked;
        lock (_lock)
        {
            linked = unsigned with { PreviousWitnessHash = _previous, HostKeyFingerprint = key.PublicKey.Fingerprint.Bytes.ToArray() };
            _previous = linked.Hash();
        }
        return linked with { Signature = key.Sign(Witness.SignedMessage(linked.EncodeBody())) };
    }
}
