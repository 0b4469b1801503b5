using System.Buffers.Binary;
using System.Security.Cryptography;
using Gateway.Channel.Handshake;

namespace Gateway.Channel.Framing;

/// <summary>
/// AES-256-GCM for one direction. Nonce = iv XOR (0^4 || sequence as 8 big-endian bytes), so a nonce repeats
/// only if a sequence number does, and the sequence only moves forward. KEY_UPDATE ratchets the traffic secret
/// and restarts the sequence at 0. Not thread-safe: the writer lock and the single reader loop own one each.
/// </summary>
internal sealed class FrameCipher : IDisposable
{
    private readonly byte[] _iv = new byte[12];
    private byte[] _secret;
    private AesGcm _aes;

    public FrameCipher(byte[] trafficSecret)
    {
        _secret = trafficSecret;
        _aes = Load(trafficSecret, _iv);
    }

    /// <summary>The most frames one traffic key may protect (2^21); see ChannelOptions.RekeyAfterFrames for the margin.</summary>
    public const ulong MaxFramesPerKey = 1UL << 21;

    /// <summary>The sequence number of the next frame.</summary>
    public ulong Sequence { get; private set; }

    /// <summary>How many key updates have happened (for tests and diagnostics).</summary>
    public int Generation { get; private set; }

    public void Seal(ReadOnlySpan<byte> header, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        Span<byte> nonce = stackalloc byte[12];
        MakeNonce(Sequence, nonce);
        _aes.Encrypt(nonce, plaintext, ciphertext, tag, header);
        Sequence++;
    }

    /// <summary>Returns false when the tag does not verify (tampered, forged or wrong key).</summary>
    public bool Open(ReadOnlySpan<byte> header, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        Span<byte> nonce = stackalloc byte[12];
        MakeNonce(Sequence, nonce);
        try { _aes.Decrypt(nonce, ciphertext, tag, plaintext, header); }
        catch (AuthenticationTagMismatchException) { return false; }
        Sequence++;
        return true;
    }

    public void Ratchet()
    {
        var next = KeySchedule.NextSecret(_secret);
        CryptographicOperations.ZeroMemory(_secret);
        _secret = next;
        _aes.Dispose();
        _aes = Load(next, _iv);
        Sequence = 0;
        Generation++;
    }

    private void MakeNonce(ulong sequence, Span<byte> nonce)
    {
        _iv.CopyTo(nonce);
        var counter = BinaryPrimitives.ReadUInt64BigEndian(nonce[4..]) ^ sequence;
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], counter);
    }

    private static AesGcm Load(byte[] secret, byte[] iv)
    {
        var key = KeySchedule.FrameKey(secret);
        KeySchedule.FrameIv(secret).CopyTo(iv, 0);
        var aes = new AesGcm(key, FrameHeader.TagSize);
        CryptographicOperations.ZeroMemory(key);
        return aes;
    }

    public void Dispose()
    {
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_secret);
    }
}
