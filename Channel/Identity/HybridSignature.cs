namespace Gateway.Channel.Identity;

/// <summary>A hybrid signature: Ed25519 (64 bytes) followed by ML-DSA-65 (3309 bytes).</summary>
public static class HybridSignature
{
    public const int Ed25519Length = 64;
    public const int MLDsaLength = 3309;
    public const int Length = Ed25519Length + MLDsaLength;
}
