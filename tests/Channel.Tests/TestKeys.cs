using Gateway.Channel.Identity;

namespace Gateway.Channel.Tests;

/// <summary>Keys are costly to derive (ML-DSA); tests share a few, made from fixed seeds.</summary>
internal static class TestKeys
{
    public static readonly HybridSigningKey Gateway = FromByte(0x11);
    public static readonly HybridSigningKey Host = FromByte(0x22);
    public static readonly HybridSigningKey Stranger = FromByte(0x33);

    private static HybridSigningKey FromByte(byte b) =>
        HybridSigningKey.FromSeeds(Enumerable.Repeat(b, 32).ToArray(), Enumerable.Repeat((byte)(b + 1), 32).ToArray());
}
