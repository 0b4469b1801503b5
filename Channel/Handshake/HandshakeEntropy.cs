using System.Security.Cryptography;
using Org.BouncyCastle.Security;

namespace Gateway.Channel.Handshake;

/// <summary>Where a handshake takes its randomness. Tests pass a fixed source to reproduce the documented vectors.</summary>
public interface IHandshakeEntropy
{
    void Fill(Span<byte> buffer);
}

public sealed class SystemEntropy : IHandshakeEntropy
{
    public static readonly SystemEntropy Instance = new();
    public void Fill(Span<byte> buffer) => RandomNumberGenerator.Fill(buffer);
}

/// <summary>Adapts an <see cref="IHandshakeEntropy"/> to BouncyCastle's random source (ML-KEM encapsulation).</summary>
internal sealed class EntropySecureRandom(IHandshakeEntropy entropy) : SecureRandom
{
    public override void NextBytes(byte[] buf) => entropy.Fill(buf);
    public override void NextBytes(byte[] buf, int off, int len) => entropy.Fill(buf.AsSpan(off, len));
    public override void NextBytes(Span<byte> buffer) => entropy.Fill(buffer);
}
