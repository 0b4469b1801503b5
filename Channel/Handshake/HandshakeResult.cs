using Gateway.Channel.Identity;

namespace Gateway.Channel.Handshake;

/// <summary>What a finished handshake hands to the frame layer.</summary>
public sealed record HandshakeResult(
    byte[] SendSecret,
    byte[] ReceiveSecret,
    byte[] TranscriptHash,
    HybridPublicKey PeerKey);
